// Validate an RSA-4096 PKCS12 with a 3-certificate chain (OpenSSL 3 defaults), in-process.
// Target: < 100 ms per check.
import { TestPki } from '../scripts/test-env/certificate-fixtures.js';
import { checkPkcs12 } from '../server/src/core/certificate/index.js';

export default async function certificateBench(): Promise<void> {
  const pki = new TestPki('HDS Bench Root CA', 'rsa:4096');
  try {
    const p12 = pki.pkcs12(pki.issueLeaf({ key: 'rsa:4096' }), 'bench-password', {
      chain: ['intermediate', 'root'],
    });
    const options = { trustRoots: [pki.rootPem] };
    const password = Buffer.from('bench-password');
    await checkPkcs12(p12, password, options); // warm-up: parses Node's root store once
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await checkPkcs12(p12, password, options);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.log(
      `checkPkcs12 RSA-4096, 3-certificate chain: median ${median.toFixed(1)} ms, p90 ${times[17]!.toFixed(1)} ms (target < 100 ms) ${median < 100 ? 'OK' : 'SLOW'}`,
    );
  } finally {
    pki.cleanup();
  }
}
