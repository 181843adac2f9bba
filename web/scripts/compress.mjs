// compress.mjs — after `vite build`: writes NAME.gz beside every text asset of dist/ over
// 1 KiB (level 9), so `ftz serve` can answer `Accept-Encoding: gzip` with the file as it is,
// without compressing on every request. Uses only node's zlib.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const TEXT = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/;
let files = 0;
let before = 0;
let after = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (TEXT.test(name) && st.size > 1024) {
      const gz = gzipSync(readFileSync(p), { level: constants.Z_BEST_COMPRESSION });
      if (gz.length < st.size) {
        writeFileSync(`${p}.gz`, gz);
        files++;
        before += st.size;
        after += gz.length;
      }
    }
  }
}

walk(dist);
console.log(`compress: ${files} files, ${(before / 1024).toFixed(0)} KiB → ${(after / 1024).toFixed(0)} KiB gzip`);
