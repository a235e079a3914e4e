// Every console page is one module; adding a page is one file plus one line here.
import signIn from './pages/sign-in.js';
import configuration from './pages/configuration.js';
import repositories from './pages/repositories.js';
import images from './pages/images.js';
import findings from './pages/findings.js';
import vulnerabilities from './pages/vulnerabilities.js';
import feeds from './pages/feeds.js';
import usage from './pages/usage.js';

export const routes = [signIn, repositories, images, findings, configuration, vulnerabilities, usage, feeds];
