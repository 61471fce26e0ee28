import { Callout } from '../../components/Callout';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps, WizardStep } from '../step-id';

function OverviewStep({ onContinue }: StepProps) {
  return (
    <section aria-labelledby="overview-title">
      {/* Named like its step ("Overview"), as every other page's heading is. */}
      <PageHeader eyebrow="Overview" title="Set up your HDS key servers">
        This wizard collects the settings of your Hybrid Data Security nodes, generates the master key and the
        service-account secrets, and gives you a <strong>configuration ISO</strong> that every node mounts at
        boot.
      </PageHeader>

      <h2 className="section-title" id="overview-title">
        What you will need
      </h2>
      <ul className="checklist">
        <li>
          <strong>The nodes' TLS certificate</strong> — a PKCS12 file (.p12 or .pfx) and its password, issued
          by a publicly trusted CA for one host name. No certificate yet? The wizard can create the key and
          the signing request for you.
        </li>
        <li>
          <strong>The key database</strong> — PostgreSQL or Microsoft SQL Server: host and port, database
          name, and an account with all privileges on that database.
        </li>
        <li>
          <strong>Your syslog server</strong> — its address (for example <code>udp://10.0.0.5:514</code>).
        </li>
        <li>
          <strong>The previous configuration ISO</strong>, if you are changing an existing deployment.
        </li>
      </ul>

      <h2 className="section-title">What the configuration ISO is</h2>
      <p>
        The ISO holds the whole node configuration and the <strong>master key</strong> that encrypts every key
        in the database. You upload it to each node; months later you bring it back here to rotate
        credentials.
      </p>

      <Callout tone="warning" title="Back up the ISO — it is the only copy of the master key">
        If every copy of the configuration ISO is lost, all customer content encrypted by this deployment is
        lost for good. Anyone who holds the ISO holds the master key: store it as securely as the key itself,
        in at least two places.
      </Callout>

      <div className="actions">
        <button type="button" className="button button-primary" onClick={onContinue}>
          Get Started
        </button>
      </div>
    </section>
  );
}

export const overviewStep: WizardStep = {
  id: 'overview',
  title: 'Overview',
  hint: 'What you need',
  Component: OverviewStep,
};
