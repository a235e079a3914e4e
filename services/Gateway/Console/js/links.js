// The console's URLs in one place, so pages link to each other without knowing each other's patterns.
const e = encodeURIComponent;
export const links = {
  repositories: (registry) => `#/registries/${e(registry)}/repositories`,
  images: (registry, repository) => `#/registries/${e(registry)}/repositories/${e(repository)}/images`,
  image: (registry, repository, digest) => `#/registries/${e(registry)}/images/${e(repository + '@' + digest)}`,
  configuration: (registry) => `#/registries/${e(registry)}/configuration`,
  vulnerabilities: (registry) => `#/registries/${e(registry)}/vulnerabilities`,
  usage: (registry) => `#/registries/${e(registry)}/usage`,
  feeds: () => '#/feeds',
};
