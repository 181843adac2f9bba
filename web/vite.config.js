// vite.config.js — builds the web UI into web/dist, which `ftz serve` serves (config web_dir)
// under the CSP of DESIGN.md §7: no inline scripts and no eval. Hence vue-i18n's runtime-only
// build (no message compiler in the bundle) and locale messages precompiled at build time by
// @intlify/unplugin-vue-i18n.
import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  plugins: [
    vue(),
    VueI18nPlugin({
      include: [here('./src/locales/**')],
      runtimeOnly: true,
      compositionOnly: true,
      strictMessage: true,
      escapeHtml: false,
    }),
  ],
  resolve: {
    alias: {
      '@': here('./src'),
      'vue-i18n': 'vue-i18n/dist/vue-i18n.runtime.esm-bundler.js',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // No inline <script>: the module preload polyfill is inlined otherwise.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus';
          if (id.includes('node_modules/')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev` against a local `make run`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
