/** SQL files bundle as their text (esbuild's text loader, set in infra/constructs/aurora-function.ts). */
declare module '*.sql' {
  const text: string;
  export default text;
}
