/**
 * A date from the API (ISO 8601) shown the same way on every page and in every locale, in UTC,
 * so what the admin reads matches what `hds-setup inspect` prints.
 */
export function Timestamp({ value, withTime = false }: { value: string; withTime?: boolean }) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <>{value}</>;
  const iso = date.toISOString();
  return (
    <time dateTime={iso}>{withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10)}</time>
  );
}
