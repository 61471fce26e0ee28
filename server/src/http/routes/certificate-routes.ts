import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import {
  backupPkcs12RequestSchema,
  type CertificateAccepted,
  type CertificateStatus,
  type CsrCreated,
  completeCsrRequestSchema,
  createCsrRequestSchema,
  MAX_PKCS12_UPLOAD_BODY,
  type Pkcs12Backup,
  uploadPkcs12RequestSchema,
} from '../../../../contract/certificate.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import {
  assemblePkcs12,
  type CertificateCheckResult,
  checkPkcs12,
  completeCsr,
  createCsr,
  readPkcs12,
  readPrivateKeys,
} from '../../core/certificate/index.js';
import { jsonBody } from '../body.js';
import { type AcceptedCertificate, certificateRequestView, certificateView } from '../certificate-section.js';
import '../previous-deployment.js';
import type { RouteModule } from '../route-context.js';

/** The page's own words (PrivateRootField) for trusting the previous ISO's private root again. */
const HOW_TO_TRUST_PREVIOUS_ROOT =
  'under "Use a private root CA (not publicly trusted)" choose "Use the root from the previous ISO" and tick "I understand this root is not publicly trusted".';

/**
 * The Certificate page: upload a PKCS12, or create a key + CSR and complete it with the CA's PEM.
 * Either way the accepted certificate is re-assembled into the PKCS12 the nodes get, with the
 * friendly name kms-private-key. Keys and passwords stay in server memory.
 */
export const certificateRoutes: RouteModule = (router: Router, { state, now }) => {
  const previousCn = () => state.get('previousDeployment')?.certificateCn;
  const previousRoot = () => state.get('previousDeployment')?.certificatePrivateRoot;
  /** What an import knew: the CN to keep, and the private root to name if a chain lacks it. */
  const previousRules = () => {
    const cn = previousCn();
    const root = previousRoot();
    return {
      ...(cn ? { previousCn: cn } : {}),
      ...(root ? { previousPrivateRoot: { root, howToTrust: HOW_TO_TRUST_PREVIOUS_ROOT } } : {}),
    };
  };

  const status = (): CertificateStatus => {
    const accepted = state.get('certificate');
    const pending = state.get('certificateRequest');
    const cn = previousCn();
    const root = previousRoot();
    return {
      ok: true,
      ...(accepted ? { certificate: certificateView(accepted) } : {}),
      ...(pending ? { csr: certificateRequestView(pending) } : {}),
      ...(cn ? { previousCn: cn } : {}),
      ...(root ? { previousPrivateRoot: root } : {}),
    };
  };

  const trustOptions = (request: {
    trustRoot?: string | undefined;
    acknowledgePrivateRoot?: boolean | undefined;
  }) => {
    const trustRoot = request.trustRoot?.trim();
    if (!trustRoot) return {};
    if (request.acknowledgePrivateRoot !== true)
      throw new HdsError(
        'INVALID_INPUT',
        'A private root CA is not publicly trusted: tick the acknowledgment to use it, or remove it.',
        'acknowledgePrivateRoot',
      );
    return { trustRoots: [trustRoot] };
  };

  const accept = (
    source: 'upload' | 'csr',
    result: CertificateCheckResult,
    password: Buffer,
  ): CertificateAccepted => {
    const chainPem = result.chain.map((c) => c.toString()).join('');
    const accepted: AcceptedCertificate = {
      source,
      summary: result.summary,
      pkcs12: assemblePkcs12(
        result.key,
        result.chain.map((c) => c.toString()),
        password,
      ),
      pkcs12Password: password,
      chainPem,
      warnings: result.warnings,
    };
    state.set('certificate', accepted);
    return { ok: true, ...certificateView(accepted) };
  };

  router.get('/certificate', (_req, res) => {
    res.json(status());
  });

  const pkcs12Upload = jsonBody(MAX_PKCS12_UPLOAD_BODY, {
    field: 'p12',
    message:
      'That file is megabytes large; a PKCS12 file is a few KB. Choose the .p12/.pfx file that holds the private key and the certificate chain.',
  });
  router.put('/certificate/pkcs12', pkcs12Upload, async (req, res) => {
    const request = parseInput(uploadPkcs12RequestSchema, req.body);
    const password = Buffer.from(request.password, 'utf8');
    const result = await checkPkcs12(Buffer.from(request.p12, 'base64'), password, {
      ...trustOptions(request),
      ...previousRules(),
      now: now(),
    });
    res.json(accept('upload', result, password));
  });

  router.post('/certificate/csr', jsonBody(), (req, res) => {
    const request = parseInput(createCsrRequestSchema, req.body);
    const cn = previousCn();
    const created = createCsr({
      cn: request.cn,
      sans: request.sans,
      ...(request.organization ? { organization: request.organization } : {}),
      ...(request.country ? { country: request.country } : {}),
      keyType: request.keyType,
      ...(cn ? { previousCn: cn } : {}),
    });
    const pending = {
      cn: request.cn,
      sans: created.sans,
      keyType: request.keyType,
      csrPem: created.csrPem,
      privateKeyPem: created.privateKeyPem,
    };
    state.set('certificateRequest', pending);
    const body: CsrCreated = { ok: true, ...certificateRequestView(pending) };
    res.json(body);
  });

  router.put('/certificate/chain', jsonBody('512kb'), async (req, res) => {
    const request = parseInput(completeCsrRequestSchema, req.body);
    const pending = state.get('certificateRequest');
    if (!pending)
      throw new HdsError(
        'INVALID_INPUT',
        'There is no certificate request waiting in this session (hds-setup was restarted?). Create a new key and CSR first.',
        'chainPem',
      );
    const result = await completeCsr(pending.privateKeyPem, request.chainPem, {
      ...trustOptions(request),
      ...previousRules(),
      now: now(),
    });
    // The nodes' PKCS12 gets a random password: nobody needs to type it, the ISO carries it.
    res.json(accept('csr', result, Buffer.from(randomBytes(24).toString('base64url'))));
  });

  router.post('/certificate/backup', jsonBody(), async (req, res) => {
    const request = parseInput(backupPkcs12RequestSchema, req.body);
    const accepted = state.get('certificate');
    if (!accepted)
      throw new HdsError('INVALID_INPUT', 'There is no accepted certificate to back up yet.', 'password');
    const [key] = readPrivateKeys(
      (await readPkcs12(accepted.pkcs12, accepted.pkcs12Password)).keys,
      'password',
    );
    const chain =
      accepted.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
    const password = Buffer.from(request.password, 'utf8');
    const p12 = assemblePkcs12(key!, chain, password);
    password.fill(0);
    const body: Pkcs12Backup = {
      ok: true,
      fileName: `${accepted.summary.cn}.p12`,
      p12: p12.toString('base64'),
    };
    res.json(body);
  });
};
