// Drives the platform's SBOM exports and SearchVulnerabilities with the real AWS SDK for JavaScript v3
// (@aws-sdk/client-inspector2: Debian's AWS CLI model has neither) and prints every call's response or error as JSON; the
// walk-through's step 11 makes the assertions.
// Inputs (environment): SDK_DIR, ENDPOINT, REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY, BUCKET, REPOSITORY, CVE.
'use strict';
const path = require('path');
const inspector2 = require(path.join(process.env.SDK_DIR, 'node_modules', '@aws-sdk', 'client-inspector2'));

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const client = new inspector2.Inspector2Client({
  endpoint: env('ENDPOINT'), region: env('REGION'), maxAttempts: 1,
  credentials: { accessKeyId: env('ACCESS_KEY_ID'), secretAccessKey: env('SECRET_ACCESS_KEY') },
});
const kmsKeyArn = `arn:aws:kms:${env('REGION')}:123456789012:key/00000000-0000-0000-0000-000000000000`;

const results = {};
async function step(name, action) {
  try {
    const output = await action();
    if (output && output.$metadata) delete output.$metadata;
    results[name] = { ok: output === undefined ? null : output };
  } catch (e) {
    results[name] = { error: { name: e.name, message: e.message, status: e.$metadata ? e.$metadata.httpStatusCode : null } };
  }
}

// GetSbomExport until the export is no longer IN_PROGRESS (at most a minute).
async function finished(name, reportId) {
  for (let i = 0; i < 120; i++) {
    await step(name, () => client.send(new inspector2.GetSbomExportCommand({ reportId })));
    if (!results[name].ok || results[name].ok.status !== 'IN_PROGRESS') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

(async () => {
  await step('cyclonedx', () => client.send(new inspector2.CreateSbomExportCommand({
    reportFormat: 'CYCLONEDX_1_4',
    resourceFilterCriteria: { ecrRepositoryName: [{ comparison: 'EQUALS', value: env('REPOSITORY') }] },
    s3Destination: { bucketName: env('BUCKET'), keyPrefix: 'walk', kmsKeyArn },
  })));
  if (results.cyclonedx.ok) await finished('cyclonedxReport', results.cyclonedx.ok.reportId);
  await step('spdx', () => client.send(new inspector2.CreateSbomExportCommand({
    reportFormat: 'SPDX_2_3', s3Destination: { bucketName: env('BUCKET'), kmsKeyArn },
  })));
  if (results.spdx.ok) await finished('spdxReport', results.spdx.ok.reportId);
  await step('unknownBucket', () => client.send(new inspector2.CreateSbomExportCommand({
    reportFormat: 'SPDX_2_3', s3Destination: { bucketName: 'no-such-bucket', kmsKeyArn },
  })));
  await step('unknownReport', () => client.send(new inspector2.GetSbomExportCommand({ reportId: '00000000-0000-4000-8000-000000000000' })));
  await step('vulnerability', () => client.send(new inspector2.SearchVulnerabilitiesCommand({ filterCriteria: { vulnerabilityIds: [env('CVE')] } })));
  await step('unknownVulnerability', () => client.send(new inspector2.SearchVulnerabilitiesCommand({ filterCriteria: { vulnerabilityIds: ['CVE-2099-0001'] } })));
  process.stdout.write(JSON.stringify(results));
})().catch((e) => { console.error(e); process.exit(1); });
