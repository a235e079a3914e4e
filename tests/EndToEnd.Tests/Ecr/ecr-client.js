// Drives the platform's ECR-compatible API with the real AWS SDK for JavaScript v3 (@aws-sdk/client-ecr), the way a
// user's script would, and prints every call's response or error as JSON. EcrApiTests.cs makes the assertions.
// Inputs (environment): SDK_DIR, ENDPOINT, REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGISTRY_ID, REPOSITORY, TAG, and PHASE:
// 'basic' (default; every operation, ends by switching the registry to ENHANCED), 'enhanced' (an image pushed after that)
// or 'suppressed' (that image's findings again, once a suppression rule matched some).
'use strict';
const path = require('path');
const ecr = require(path.join(process.env.SDK_DIR, 'node_modules', '@aws-sdk', 'client-ecr'));

const env = (name) => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const endpoint = env('ENDPOINT');
const region = env('REGION');
const registryId = env('REGISTRY_ID');
const repositoryName = env('REPOSITORY');
const imageTag = env('TAG');

const client = (secretAccessKey, accessKeyId = env('ACCESS_KEY_ID')) =>
  new ecr.ECRClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
const good = client(env('SECRET_ACCESS_KEY'));

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
const send = (command, c = good) => c.send(command);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const imageId = { imageTag };
const paginate = () => async () => {
  const pages = [];
  for await (const page of ecr.paginateDescribeImageScanFindings({ client: good, pageSize: 2 }, { repositoryName, imageId })) {
    delete page.$metadata;
    pages.push(page);
  }
  return { pages };
};

async function basicPhase() {
  await step('getRegistryScanningConfiguration', () => send(new ecr.GetRegistryScanningConfigurationCommand({})));
  await step('describeRepositories', () => send(new ecr.DescribeRepositoriesCommand({})));
  await step('describeRepositoriesMissing', () => send(new ecr.DescribeRepositoriesCommand({ repositoryNames: ['no/such-repository'] })));
  await step('describeImagesBeforeScan', () => send(new ecr.DescribeImagesCommand({ repositoryName, registryId })));
  await step('findingsBeforeScan', () => send(new ecr.DescribeImageScanFindingsCommand({ repositoryName, imageId })));
  await step('batchGetBefore', () => send(new ecr.BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [repositoryName, 'no/such-repository'] })));
  await step('putImageScanningConfiguration', () => send(new ecr.PutImageScanningConfigurationCommand({
    repositoryName, imageScanningConfiguration: { scanOnPush: true } })));
  await step('putImageScanningConfigurationMissingRepository', () => send(new ecr.PutImageScanningConfigurationCommand({
    repositoryName: 'no/such-repository', imageScanningConfiguration: { scanOnPush: true } })));
  await step('batchGetAfterLegacy', () => send(new ecr.BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [repositoryName] })));
  await step('startImageScanUnknownImage', () => send(new ecr.StartImageScanCommand({ repositoryName, imageId: { imageTag: 'no-such-tag' } })));
  await step('startImageScanInvalidRepository', () => send(new ecr.StartImageScanCommand({ repositoryName: 'Not_Valid', imageId })));
  await step('startImageScan', () => send(new ecr.StartImageScanCommand({ repositoryName, imageId })));
  await step('startImageScanAgain', () => send(new ecr.StartImageScanCommand({ repositoryName, imageId })));
  const started = Date.now();
  await step('waitUntilImageScanComplete', () => ecr.waitUntilImageScanComplete(
    { client: good, maxWaitTime: 180, minDelay: 1, maxDelay: 2 }, { repositoryName, imageId }));
  results.waitSeconds = (Date.now() - started) / 1000;
  await step('paginate', paginate());
  await step('findingsAll', () => send(new ecr.DescribeImageScanFindingsCommand({ repositoryName, imageId, maxResults: 1000 })));
  await step('findingsBadToken', () => send(new ecr.DescribeImageScanFindingsCommand({ repositoryName, imageId, nextToken: 'not-a-token' })));
  await step('describeImagesAfterScan', () => send(new ecr.DescribeImagesCommand({ repositoryName, imageIds: [imageId] })));
  await step('putRegistryInvalid', () => send(new ecr.PutRegistryScanningConfigurationCommand({
    scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'UPPER', filterType: 'WILDCARD' }] }] })));
  await step('putRegistryEnhanced', () => send(new ecr.PutRegistryScanningConfigurationCommand({
    scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'ecr*', filterType: 'WILDCARD' }] }] })));
  await step('getRegistryAfterPut', () => send(new ecr.GetRegistryScanningConfigurationCommand({})));
  await step('batchGetEnhanced', () => send(new ecr.BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [repositoryName] })));
  await step('startImageScanEnhanced', () => send(new ecr.StartImageScanCommand({ repositoryName, imageId })));
  await step('wrongSecret', () => send(new ecr.DescribeRepositoriesCommand({}), client('not-the-secret')));
  await step('unknownAccessKey', () => send(new ecr.DescribeRepositoriesCommand({}), client('whatever', 'AKIAUNKNOWNKEY000000')));
}

// Under ENHANCED the push itself starts the scan; its result reads ACTIVE, which the ImageScanComplete waiter never
// accepts (as against ECR), so poll until the findings are there.
async function enhancedPhase() {
  await step('waitForEnhancedFindings', async () => {
    for (let deadline = Date.now() + 180000; ; await sleep(1000)) {
      const out = await send(new ecr.DescribeImageScanFindingsCommand({ repositoryName, imageId }));
      if (out.imageScanStatus && out.imageScanStatus.status === 'ACTIVE' && out.imageScanFindings) return { status: out.imageScanStatus.status };
      if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(out.imageScanStatus)}`);
    }
  });
  await step('enhancedPaginate', paginate());
  await step('enhancedFindingsAll', () => send(new ecr.DescribeImageScanFindingsCommand({ repositoryName, imageId, maxResults: 1000 })));
  // A well-formed token of the BASIC kind: it pages another scan type's result.
  await step('enhancedFindingsBasicToken', () => send(new ecr.DescribeImageScanFindingsCommand({
    repositoryName, imageId, nextToken: Buffer.from('findings\n0\n0').toString('base64') })));
}

(async () => {
  // The registry notifies the platform asynchronously: wait until the pushed image is in the catalog.
  for (let deadline = Date.now() + 60000; ; await sleep(250)) {
    try { await send(new ecr.DescribeImagesCommand({ repositoryName, imageIds: [imageId] })); break; } catch (e) {
      if (!['RepositoryNotFoundException', 'ImageNotFoundException'].includes(e.name) || Date.now() > deadline) throw e;
    }
  }
  const phase = process.env.PHASE || 'basic';
  if (phase === 'enhanced') await enhancedPhase();
  else if (phase === 'suppressed') await step('findingsAll', () => send(new ecr.DescribeImageScanFindingsCommand({ repositoryName, imageId, maxResults: 1000 })));
  else await basicPhase();
  process.stdout.write(JSON.stringify(results));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
