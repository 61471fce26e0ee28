import type { PreviousPrivateRoot } from '../../../contract/certificate.js';

/**
 * What the wizard learned from an imported configuration ISO (page 3), read by the other pages:
 * the certificate page compares CNs, the database page refuses a type change, the service
 * accounts page offers keep / soft / hard. Filled in by the configuration-ISO import.
 */
export interface PreviousDeployment {
  generation: number;
  createdAt: string;
  /** SHA-256 (hex) of the imported manifest: the next ISO's lineage. */
  manifestSha256: string;
  certificateCn: string;
  certificateNotAfter: string;
  /** The private root its chain ended at: the Certificate page offers it again (still to acknowledge). */
  certificatePrivateRoot?: PreviousPrivateRoot;
  databaseType: 'postgresql' | 'sqlserver';
}

declare module './wizard-state.js' {
  interface WizardSections {
    previousDeployment: PreviousDeployment;
  }
}
