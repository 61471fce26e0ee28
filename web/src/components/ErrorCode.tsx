/**
 * An error's stable code, after its message: the message is what the admin acts on; the code is a
 * reference for support and the CLI's --json output, so it comes second and stays quiet.
 */
export function ErrorCode({ code }: { code: string }) {
  return (
    <>
      {' '}
      <code className="code-tag" title="Error code (quote it when you ask for help)">
        {code}
      </code>
    </>
  );
}
