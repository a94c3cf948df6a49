/**
 * Filesystem- and header-safe file name from a title. Shared so a report saved from the app and
 * the one the engine stores get the same name.
 */
export function fileSlug(title: string): string {
  return (
    title
      .normalize('NFKD')
      .replace(/[^\w\s-]+/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'report'
  );
}
