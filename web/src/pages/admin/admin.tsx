/** The admin section's routes: #/admin/users, #/admin/users/{userId}, #/admin/lockouts, #/admin/analytics. */
import type { Api } from '../../api';
import type { Me } from '../../types';
import { AdminAnalyticsPage } from './analytics';
import { AdminLockoutsPage } from './lockouts';
import { AdminUserDetailPage } from './user-detail';
import { AdminUsersPage } from './users';

export function AdminPage(props: { api: Api; me: Me; path: readonly string[] }) {
  const [section, userId] = props.path;
  if (section === 'lockouts') return <AdminLockoutsPage api={props.api} me={props.me} />;
  if (section === 'analytics') return <AdminAnalyticsPage api={props.api} />;
  if (section === 'users' && userId) {
    return <AdminUserDetailPage api={props.api} me={props.me} userId={decodeURIComponent(userId)} />;
  }
  return <AdminUsersPage api={props.api} me={props.me} />;
}
