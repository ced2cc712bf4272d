/**
 * The admin role is a grant on an address (`EMAIL#<email> / ADMIN`), so it can be given before the person
 * first signs in; the auth function reads it at every token issue and puts `admin: true` in the session.
 */
export const adminGrantKey = (email: string): { PK: string; SK: string } => ({
  PK: `EMAIL#${email.trim().toLowerCase()}`,
  SK: 'ADMIN',
});

/** Sparse GSI2 listing of every grant, so `npm run admin -- list` is a Query, not a scan. */
export const ADMIN_GRANTS_LISTING = 'ADMINS';
