/** For `npx vite web` (dev server with hot reload) and `npx vite build web`; `npm run lab` uses labConfig directly. */
import { labConfig } from './lab-config.js';

export default labConfig();
