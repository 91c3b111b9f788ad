// Where the wasm's bytes go: function body sizes by name, demangled (c++filt), grouped by what
// they belong to (the core's parts, libc++'s containers by template, std::variant visitation,
// Embind, libc/musl and emmalloc, the wasm driver), each group's share of the gzipped code too.
//
//   node bench/wasm-sizes.mjs [--build] [--top N] [--json] [file.wasm]
//
// The module must carry a name section. --build makes one as the package's is made
// (build/npm-wasm-names: scripts/build.sh's npm link, plus --profiling-funcs for the names; then
// npm/scripts/build.mjs's wasm-opt flags with -g in place of --strip-debug) and measures it;
// without a file that is also the default. Its code is within 0.3 % of the shipped module's
// (names change a few of wasm-opt's merging decisions).
//
// Gzip attribution is rough by nature (a function compresses against its neighbours): for each
// group "gzip alone" is gzip -9 of its bodies concatenated, "gzip share" is how many bytes
// the whole code section's gzip -9 loses when the group's bodies are left out.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { wasmOptPasses } from '../npm/scripts/wasm_opt.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let top = 30;
let json = false;
let build = false;
let file;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--json') json = true;
  else if (args[i] === '--build') build = true;
  else if (!args[i].startsWith('--') && !file) file = args[i];
  else {
    process.stderr.write('usage: node bench/wasm-sizes.mjs [--build] [--top N] [--json] [file.wasm]\n');
    process.exit(2);
  }
}
const namedDir = join(root, 'build/npm-wasm-names');
const namedWasm = join(namedDir, 'wasm/mqttws_wasm.named.wasm');

if (build) {
  const env = { ...process.env, NODE_PATH: [process.env.NODE_PATH, '/usr/share/nodejs'].filter(Boolean).join(':') };
  const run = (cmd, argv) => execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env });
  run('emcmake', ['cmake', '-S', root, '-B', namedDir, '-DCMAKE_BUILD_TYPE=MinSizeRel',
    '-DMQTTWS_BUILD_TESTS=OFF', '-DMQTTWS_WERROR=ON', '-DCMAKE_CXX_FLAGS=-fno-rtti -flto',
    '-DCMAKE_EXE_LINKER_FLAGS=-flto --profiling-funcs', '-DCMAKE_CXX_FLAGS_MINSIZEREL=-Oz -DNDEBUG']);
  run('cmake', ['--build', namedDir, '-j', '2', '--target', 'mqttws_wasm']);
  // npm/scripts/build.mjs's passes, names kept.
  run(process.execPath, [join(root, 'npm/node_modules/binaryen/bin/wasm-opt'),
    join(namedDir, 'wasm/mqttws_wasm.wasm'), ...wasmOptPasses, '-g', '-o', namedWasm]);
}
file ??= namedWasm;
if (!existsSync(file)) {
  process.stderr.write(`wasm-sizes: ${file} does not exist (run with --build)\n`);
  process.exit(1);
}
const bytes = readFileSync(file);

// --- the module's sections ---
let pos = 8;
const leb = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return result;
  }
};
const name = () => {
  const n = leb();
  const s = bytes.toString('utf8', pos, pos + n);
  pos += n;
  return s;
};
const sections = [];
let importedFunctions = 0;
const bodies = [];  // { index, start, end } in the file
const names = new Map();
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const start = pos;
  const end = start + size;
  let label = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
    'start', 'element', 'code', 'data', 'datacount'][id];
  if (id === 0) {
    label = `custom "${name()}"`;
    if (label === 'custom "name"') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const index = leb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  } else if (id === 2) {
    for (let n = leb(); n > 0; n--) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) { leb(); importedFunctions++; } else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 3) { pos += 2; }
    }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) {
      const bodySize = leb();
      bodies.push({ index: importedFunctions + i, start: pos, end: pos + bodySize });
      pos += bodySize;
    }
  }
  sections.push({ label, size: end - start });
  pos = end;
}

// --- names, demangled ---
const mangled = bodies.map((b) => names.get(b.index) ?? `wasm-function[${b.index}]`);
const demangled = execFileSync('c++filt', [], { input: `${mangled.join('\n')}\n`, maxBuffer: 1 << 28 })
  .toString().split('\n');

// The function's own qualified name: template arguments and parameters dropped, the return type
// of a template function too ("void std::__2::__sort<...>(...)" -> "std::__2::__sort").
function strip(s) {
  let out = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    // "operator<" / "operator()" / "operator->" are names, not brackets.
    if (depth === 0 && s.startsWith('operator', i)) {
      const m = /^operator(\(\)|\[\]|->\*?|<<=?|>>=?|<=>|[<>]=?|[^\s(]+|\s[\w:]+)/.exec(s.slice(i));
      if (m) { out += m[0]; i += m[0].length - 1; continue; }
    }
    if (c === '<' || c === '(') { if (depth === 0) out += c === '<' ? '<>' : '()'; depth++; } else if (c === '>' || c === ')') depth--;
    else if (depth === 0) out += c;
  }
  return out;
}
function ownName(d) {
  const s = strip(d.replace(/^decltype\(auto\) /, ''));
  const paren = s.indexOf('()');
  const head = paren < 0 ? s : s.slice(0, paren);
  const parts = head.trim().split(' ');
  return parts[parts.length - 1];
}
// The template a libc++ function belongs to, with its arguments ("std::__2::__tree<...>").
function instance(d) {
  const own = ownName(d);
  const cls = own.replace(/::[^:]*$/, '');
  // Find the same class prefix with its arguments in the demangled text.
  const bare = cls.replace(/<>/g, '');
  const at = d.indexOf(bare.split('<>')[0]);
  if (at < 0) return cls;
  let depth = 0;
  let i = at + bare.length;
  if (d[i] !== '<') return cls;
  for (; i < d.length; i++) {
    if (d[i] === '<') depth++;
    else if (d[i] === '>' && --depth === 0) break;
  }
  return d.slice(at, i + 1);
}

const libcxx = [
  [/__variant_detail|std::__2::variant|__visit|std::__2::__throw_bad_variant/, 'libc++ std::variant (visitation, copy/move/dtor)'],
  [/std::__2::__tree|std::__2::map|std::__2::set|std::__2::multimap/, 'libc++ std::map/std::set (__tree)'],
  [/std::__2::__hash|std::__2::unordered_/, 'libc++ std::unordered_map/set (__hash_table)'],
  [/std::__2::deque|std::__2::__deque/, 'libc++ std::deque'],
  [/std::__2::__function|std::__2::function/, 'libc++ std::function'],
  [/std::__2::basic_string|std::__2::__basic_string|std::__2::char_traits/, 'libc++ std::string'],
  [/std::__2::vector|std::__2::__vector|std::__2::__split_buffer/, 'libc++ std::vector'],
  [/std::__2::optional|std::__2::__optional/, 'libc++ std::optional'],
  [/std::__2::/, 'libc++ other'],
];
function group(d, m) {
  // bindings.cpp's functions, with the driver code LTO inlined into them.
  if (/__embind_init_mqttws|^\(anonymous namespace\)::/.test(d)) return 'wasm driver (bindings.cpp)';
  if (/^emscripten::|^void emscripten::|^_embind|^embind_|^\w+ emscripten::/.test(d) || /emscripten::(val|internal|class_|function)/.test(ownName(d))) return 'Embind';
  const own = ownName(d);
  if (own.startsWith('std::')) {
    for (const [re, g] of libcxx) if (re.test(own)) return g;
  }
  if (own.startsWith('mqttws::wasm::') || own.startsWith('(anonymous namespace)::') && /wasm/.test(d)) return 'wasm driver';
  if (own.startsWith('mqttws::')) {
    const part = own.split('::')[1].replace(/<>$/, '');
    if (part === 'session' || part === 'session_impl') return 'core: session';
    if (part === 'detail') return 'core: property codec (detail)';
    if (part === '(anonymous namespace)' || part === '') return 'core: codec/helpers (anonymous namespace)';
    return `core: ${part}`;
  }
  if (own.startsWith('(anonymous namespace)::')) return 'anonymous namespace';
  // C functions: a bare name (the linker's name section carries some names demangled already,
  // C++ ones always with their parameters).
  if (/^wasm-function/.test(m)) return 'unnamed';
  if (!d.includes('(')) return 'libc (musl, emmalloc, compiler-rt)';
  return 'other C++';
}

const fns = bodies.map((b, i) => {
  const d = demangled[i] || mangled[i];
  return { index: b.index, size: b.end - b.start, start: b.start, end: b.end, name: d, group: group(d, mangled[i]) };
});
// Anonymous-namespace functions: by the file's namespace content, where the name says.
const codeBytes = (list) => Buffer.concat(list.map((f) => bytes.subarray(f.start, f.end)));
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const allCode = gz(codeBytes(fns));

const groups = new Map();
for (const f of fns) {
  const g = groups.get(f.group) ?? { group: f.group, functions: 0, bytes: 0 };
  g.functions++;
  g.bytes += f.size;
  groups.set(f.group, g);
}
for (const g of groups.values()) {
  const own = fns.filter((f) => f.group === g.group);
  g.gzipAlone = gz(codeBytes(own));
  g.gzipShare = allCode - gz(codeBytes(fns.filter((f) => f.group !== g.group)));
}
const byGroup = [...groups.values()].sort((a, b) => b.bytes - a.bytes);

// libc++ instantiations by template instance (the class with its arguments).
const instances = new Map();
for (const f of fns) {
  if (!f.group.startsWith('libc++')) continue;
  const key = instance(f.name);
  const e = instances.get(key) ?? { instance: key, functions: 0, bytes: 0 };
  e.functions++;
  e.bytes += f.size;
  instances.set(key, e);
}
const byInstance = [...instances.values()].sort((a, b) => b.bytes - a.bytes);
const topFns = [...fns].sort((a, b) => b.size - a.size).slice(0, top);

if (json) {
  process.stdout.write(`${JSON.stringify({ file, size: bytes.length, codeGzip: allCode, sections, groups: byGroup, instances: byInstance.slice(0, top), functions: topFns.map(({ start, end, ...f }) => f) }, null, 1)}\n`);
  process.exit(0);
}
const short = (s, n = 150) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const out = [];
out.push(`${file}: ${bytes.length} bytes, ${fns.length} functions; code ${fns.reduce((s, f) => s + f.size, 0)} bytes, ${allCode} gzipped`);
out.push('', 'sections:');
for (const s of sections) out.push(`  ${String(s.size).padStart(8)}  ${s.label}`);
out.push('', 'groups:                                            fns    bytes  gzip alone  gzip share');
for (const g of byGroup) {
  out.push(`  ${g.group.padEnd(48)} ${String(g.functions).padStart(4)} ${String(g.bytes).padStart(8)} ${String(g.gzipAlone).padStart(11)} ${String(g.gzipShare).padStart(11)}`);
}
out.push('', `libc++ by template instance (top ${top}):`);
for (const e of byInstance.slice(0, top)) out.push(`  ${String(e.bytes).padStart(7)} ${String(e.functions).padStart(4)}  ${short(e.instance)}`);
out.push('', `functions (top ${top}):`);
for (const f of topFns) out.push(`  ${String(f.size).padStart(7)}  [${f.group}] ${short(f.name)}`);
process.stdout.write(`${out.join('\n')}\n`);
