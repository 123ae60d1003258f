// Builds the partial plotly.js bundle the pages load, from the npm registry's
// plotly.js package (its lib/ modules registered on lib/core), with esbuild.
//
//   cd tools/plotly && npm ci --ignore-scripts && npm run build
//
// Writes, in the repository (commit them):
//   static/vendor/plotly/plotly.min.js  the bundle (minified, one IIFE: window.Plotly)
//   static/vendor/plotly/LICENSE.txt    plotly.js's licence and every bundled package's
//   static/css/plotly.css               plotly.js's global styles (see below)
// and prints the bundle's size raw and gzipped. Never run at install time.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';

// Keep in step with index.js (scatter comes with lib/core).
const TRACES = ['bar', 'scatter', 'choropleth', 'scattergeo'];

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const plotlyDir = dirname(require.resolve('plotly.js/package.json'));
const { version } = JSON.parse(readFileSync(join(plotlyDir, 'package.json'), 'utf8'));

// Colorbar fills get an empty style attribute (style=""), which the CSP
// (style-src 'self') blocks with a console error: remove the attribute
// instead, to the same effect. The build fails if plotly.js changes the line.
const cspPatches = {
    name: 'csp-patches',
    setup(build) {
        build.onLoad({ filter: /components[\\/]colorbar[\\/]draw\.js$/ }, async (args) => {
            const source = readFileSync(args.path, 'utf8');
            const patched = source.replaceAll(".attr('style', '')", ".attr('style', null)");
            if (patched === source) throw new Error(`csp-patches: nothing to patch in ${args.path}`);
            return { contents: patched, loader: 'js' };
        });
    },
};

const outfile = join(repo, 'static', 'vendor', 'plotly', 'plotly.min.js');
const result = await esbuild.build({
    absWorkingDir: here, // metafile paths below are relative to it
    entryPoints: [join(here, 'index.js')],
    outfile,
    bundle: true,
    format: 'iife',
    globalName: 'Plotly',
    minify: true,
    // The same target and definitions as plotly.js's own build (esbuild-config.js).
    target: 'es2016',
    define: { global: 'window', 'define.amd': 'false' },
    // registry.js requires MapLibre's stylesheet for map traces, never drawn here.
    loader: { '.css': 'empty' },
    plugins: [cspPatches],
    legalComments: 'none',
    banner: {
        js: `/*! plotly.js v${version}, partial bundle: ${TRACES.join(', ')}.` +
            ' Copyright Plotly, Inc., MIT licence;' +
            ' bundled packages and their licences: LICENSE.txt beside this file. */',
    },
    metafile: true,
    logLevel: 'warning',
});

// Every npm package whose code went in, with its licence text.
const packages = new Map();
const [output] = Object.values(result.metafile.outputs);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    // MapLibre's stylesheet is only an empty stub (loader above).
    if (!bytesInOutput || input.endsWith('.css')) continue;
    const match = input.match(/^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//);
    if (!match || packages.has(match[2])) continue;
    const dir = join(here, match[1]);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((name) => /^licen[cs]e/i.test(name));
    packages.set(match[2], {
        title: `${meta.name} ${meta.version} (${meta.license ?? 'see its licence'})`,
        text: file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)',
    });
}
const names = [...packages.keys()].sort();
const notice = [
    `plotly.js v${version}, partial bundle (${TRACES.join(', ')}), built by`,
    `tools/plotly/build.mjs from these npm packages, whose licences follow:`,
    '',
    ...names.map((name) => `  ${packages.get(name).title}`),
    ...names.flatMap((name) => ['', `--- ${packages.get(name).title} ---`, packages.get(name).text]),
    '',
].join('\n');
writeFileSync(join(repo, 'static', 'vendor', 'plotly', 'LICENSE.txt'), notice);

// The global rules plotly.js would inject in an inline <style> (forbidden by
// the CSP): served as a file instead, see plotly_assets.html.
const css = readFileSync(join(plotlyDir, 'dist', 'plotly.css'), 'utf8').trim();
writeFileSync(
    join(repo, 'static', 'css', 'plotly.css'),
    `/* Global styles of plotly.js v${version} (its dist/plotly.css), written by\n` +
        '   tools/plotly/build.mjs: the rules plotly.js otherwise injects in an\n' +
        '   inline <style>, which the CSP forbids.\n' +
        '   templates/diagnostics/includes/plotly_assets.html loads this file with\n' +
        '   id="plotly.js-style-global" class="no-inline-styles", which tells\n' +
        '   plotly.js not to inject them. */\n' +
        css +
        '\n',
);

const bundle = readFileSync(outfile);
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
console.log(
    `${relative(repo, outfile)}: plotly.js ${version} (${TRACES.join(', ')}),` +
        ` ${kb(bundle.length)}, ${kb(gzipSync(bundle, { level: 9 }).length)} gzipped,` +
        ` ${packages.size} packages`,
);
