import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The single-page app central serves at `/` (packages/central serves `dist/`). `npm run dev -w
// @osiris/web` proxies the API to a central on :8080.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
