import { defineConfig } from 'vite';

// Three pages, bundled into dist/ and served by the api as static files: they load nothing from
// outside the system (no CDN, no fonts), as the api's Content-Security-Policy also insists.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: { input: { index: 'index.html', ops: 'ops.html', preferences: 'preferences.html' } },
  },
});
