import type {
  CertificateAccepted,
  CertificateStatus,
  CreateCsrRequest,
  CsrCreated,
  Pkcs12Backup,
} from '../../../../contract/certificate';
import { api } from '../../api/client';

/** The private root and its acknowledgment, sent with an upload or a CA reply. */
export interface PrivateRootChoice {
  trustRoot?: string;
  acknowledgePrivateRoot?: boolean;
}

export const getCertificate = () => api<CertificateStatus>('GET', '/certificate');

export const uploadPkcs12 = (body: { p12: string; password: string } & PrivateRootChoice) =>
  api<CertificateAccepted>('PUT', '/certificate/pkcs12', body);

export const createCsr = (body: CreateCsrRequest) => api<CsrCreated>('POST', '/certificate/csr', body);

export const completeCsr = (body: { chainPem: string } & PrivateRootChoice) =>
  api<CertificateAccepted>('PUT', '/certificate/chain', body);

export const backupPkcs12 = (password: string) =>
  api<Pkcs12Backup>('POST', '/certificate/backup', { password });

/** Hands a file to the browser's download; nothing is kept in storage. */
export function saveFile(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
