/** The QEMU command line both ways (interop/qemu.ts), against the real knowledge base. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { importQemu, qemuCommandLine, renderQemu, shellWords, type QemuExportInput } from '../../server/src/interop/qemu';
import { detectFormat, importMachine } from '../../server/src/interop/import';
import { ImportError } from '../../server/src/interop/imported';

const kb = getKnowledgeBase();
const machine = (over: Partial<QemuExportInput>): QemuExportInput => ({ names: ['m'], qemu: '7.2', accel: 'kvm', cpu: 'qemu64', on: [], off: [], tscFrequency: null, ...over });
const line = (over: Partial<QemuExportInput>) => qemuCommandLine(machine(over), kb);

test('export: before 2.4 bits are +f/-f in the release table spelling; from 2.4 f=on|off with canonical names', () => {
  // kvm-pv-eoi was spelt kvm_pv_eoi in the tables until 2.8; x2apic always the same
  assert.equal(line({ names: ['pc-1.3'], qemu: '1.3', on: ['kvm-pv-eoi'], off: ['x2apic'] }).args.join(' '), '-machine pc-1.3,accel=kvm -cpu qemu64,+kvm_pv_eoi,-x2apic');
  // 2.5: the bits are QOM properties, named with feat2prop's dashes (kvm-pv-eoi) even while the table says kvm_pv_eoi
  assert.equal(line({ qemu: '2.5', on: ['kvm-pv-eoi'], off: ['kvm-steal-time'] }).args.join(' '), '-machine accel=kvm -cpu qemu64,kvm-pv-eoi=on,kvm-steal-time=off');
  // pclmulqdq was only pclmuldq before 1.1
  assert.equal(line({ qemu: '1.0', on: ['pclmulqdq'] }).args.at(-1), 'qemu64,+pclmuldq');
  assert.equal(line({ qemu: '1.1', on: ['pclmulqdq'] }).args.at(-1), 'qemu64,+pclmulqdq');
});

test('export: a bit the release has no property for is left out of -cpu and said in a # note', () => {
  const c = line({ names: ['pc-1.0'], qemu: '1.0', on: ['kvm-pv-unhalt', 'x2apic'], off: ['kvm-pv-tlb-flush'] });
  assert.equal(c.args.at(-1), 'qemu64,+x2apic');
  assert.deepEqual(c.omitted, ['kvm-pv-unhalt', 'kvm-pv-tlb-flush']);
  assert.match(renderQemu(c), /\n# QEMU 1\.0 has no -cpu property for kvm-pv-unhalt: whitelist left out\n# QEMU 1\.0 has no -cpu property for kvm-pv-tlb-flush: mask left out\n-machine pc-1\.0,accel=kvm -cpu qemu64,\+x2apic$/);
  // a bit the release turns on itself under KVM needs no property (kvmclock-stable-bit before 2.1)
  assert.deepEqual(line({ qemu: '2.0', on: ['kvmclock-stable-bit'] }).omitted, []);
  assert.deepEqual(line({ qemu: '2.0', accel: 'tcg', on: ['kvmclock-stable-bit'] }).omitted, ['kvmclock-stable-bit']);
  assert.match(line({ qemu: '1.1' }).notes.join('\n'), /QEMU 1\.1 turns on every paravirt bit the host kernel reports/);
});

test('export: model names as the release knew them — no versioned names before 4.1, the alias of that time', () => {
  assert.equal(line({ qemu: '1.2', cpu: 'qemu64-v1' }).args.at(-1), 'qemu64');
  assert.equal(line({ qemu: '2.8', cpu: 'Haswell-v2' }).args.at(-1), 'Haswell-noTSX');
  assert.equal(line({ qemu: '7.2', cpu: 'Haswell-v2' }).args.at(-1), 'Haswell-v2');
  assert.equal(line({ qemu: '7.2', cpu: 'Skylake-Server' }).args.at(-1), 'Skylake-Server');
  const unknown = line({ qemu: '3.0', cpu: 'Cascadelake-Server-v2' });
  assert.match(unknown.notes.join('\n'), /QEMU 3\.0 has no CPU model Cascadelake-Server-v2/);
});

test('export: -machine only for a machine type of the release; accelerator and TSC options per release', () => {
  assert.deepEqual(line({ names: ['pc-q35-7.2'], tscFrequency: '2400000000' }).args, ['-machine', 'pc-q35-7.2', '-accel', 'kvm', '-cpu', 'qemu64,tsc-frequency=2400000000']);
  assert.deepEqual(line({ names: ['fleet-a', 'pc-i440fx-2.8'], qemu: '2.8' }).args.slice(0, 2), ['-machine', 'pc-i440fx-2.8,accel=kvm'], 'an alias that is a machine type');
  const gone = line({ names: ['pc-1.2'], qemu: '7.2' });
  assert.equal(gone.args[0], '-accel');
  assert.match(gone.notes[0], /QEMU 7\.2 no longer has machine type pc-1\.2 \(removed in 6\.0\)/);
  assert.equal(line({ qemu: '1.2', tscFrequency: '2000000000' }).args.at(-1), 'qemu64,tsc_freq=2000000000');
  assert.equal(line({ qemu: '1.6', tscFrequency: '2000000000' }).args.at(-1), 'qemu64,tsc-freq=2000000000');
  assert.match(line({ qemu: '0.15', tscFrequency: '2000000000' }).notes.join('\n'), /no -cpu option for the TSC frequency/);
  assert.deepEqual(line({ names: ['pc-0.11'], qemu: '0.12' }).args, ['-M', 'pc-0.11', '-enable-kvm', '-cpu', 'qemu64']);
  assert.deepEqual(line({ names: ['pc-0.11'], qemu: '0.12', accel: 'tcg' }).args, ['-M', 'pc-0.11', '-cpu', 'qemu64'], 'TCG is the default there');
});

test('shell words: quotes, escapes, continuations and comments, with 1-based positions', () => {
  const words = shellWords("qemu-kvm \\\n  -cpu 'a,b' \"c\\\"d\" # comment\n-x");
  assert.deepEqual(words.map((w) => w.text), ['qemu-kvm', '-cpu', 'a,b', 'c"d', '-x']);
  assert.deepEqual([words[1].line, words[1].column, words[4].line, words[4].column], [2, 3, 3, 1]);
});

test('import: every -cpu edit form, -machine/-M with accel=, -accel, -enable-kvm; other options ignored', () => {
  const m = importQemu("/usr/bin/qemu-system-x86_64 -m 4G -M pc-i440fx-2.8,accel=tcg -smp 2 \\\n  -cpu Haswell,+pcid,-hle,x2apic=off,kvm_pv_eoi=on,rdtscp=true,rtm=false,aes,tsc-frequency=2.4G -display none disk.img");
  assert.deepEqual([m.name, m.machineType, m.qemu, m.accel, m.model, m.tscFrequency], ['pc-i440fx-2.8', 'pc-i440fx-2.8', '2.8', 'tcg', 'Haswell', '2400000000']);
  assert.deepEqual(m.edits, [
    { name: 'pcid', on: true },
    { name: 'hle', on: false },
    { name: 'x2apic', on: false },
    { name: 'kvm_pv_eoi', on: true },
    { name: 'rdtscp', on: true },
    { name: 'rtm', on: false },
    { name: 'aes', on: true },
  ]);
  assert.equal(importQemu('qemu-kvm -enable-kvm -machine q35 -cpu host').accel, 'kvm');
  assert.deepEqual([importQemu('kvm -accel kvm -machine pc-1.3 -cpu qemu64').qemu, importQemu('x -M pc-q35-4.0.1').qemu], ['1.3', '4.0']);
  assert.match(importQemu('qemu -cpu host,migratable=no,+vmx').notes[0], /migratable=no: not a CPUID bit/);
  const twice = importQemu('qemu -cpu Haswell,+pcid -cpu qemu64,-x2apic');
  assert.deepEqual([twice.model, twice.edits], ['qemu64', [{ name: 'x2apic', on: false }]], 'the last -cpu wins whole');
});

test('import: known spellings become canonical, unknown ones stay; --name and --qemu win', () => {
  const m = importMachine('qemu -M pc-1.2 -cpu qemu64,+kvm_pv_eoi,+pclmuldq,+not-a-bit', kb, { name: 'fleet', qemu: '1.2.1' });
  assert.deepEqual(m.edits.map((e) => e.name), ['kvm-pv-eoi', 'pclmulqdq', 'not-a-bit']);
  assert.deepEqual([m.name, m.qemu], ['fleet', '1.2.1']);
});

test('import: unreadable input is an ImportError with the line and column and what was expected', () => {
  const at = (text: string) => {
    try {
      importQemu(text);
    } catch (e) {
      assert.ok(e instanceof ImportError);
      return `${e.line}:${e.column} ${e.message}`;
    }
    return 'no error';
  };
  assert.equal(at("qemu \\\n  -cpu 'qemu64,foo=bar'"), "2:20 expected on or off for foo, not 'bar'");
  assert.equal(at('qemu -cpu qemu64,tsc-frequency=fast'), "1:32 expected a frequency in Hz (2400000000, or 2.4G), not 'fast'");
  assert.equal(at('qemu -machine pc,accel=xen'), "1:24 unknown accelerator 'xen': expected kvm or tcg");
  assert.equal(at('qemu -cpu'), '1:10 -cpu needs a value: expected a CPU model after it');
  assert.equal(at('qemu -cpu "qemu64'), '1:11 unterminated double quote: expected a closing "');
  assert.equal(at('qemu -cpu qemu64,+a$b'), "1:19 expected +feature, -feature or feature=on|off, not '+a$b'");
  assert.equal(at('echo hello'), '1:1 expected a QEMU command line with -cpu, -machine/-M, -accel or -enable-kvm');
  assert.equal(at(''), '1:1 expected a QEMU command line with -cpu, -machine/-M, -accel or -enable-kvm');
});

test('format detection: XML (after whitespace and comments) is libvirt, anything else a command line', () => {
  assert.equal(detectFormat('  \n<domain type="kvm"/>'), 'libvirt');
  assert.equal(detectFormat('<?xml version="1.0"?><domain/>'), 'libvirt');
  assert.equal(detectFormat('# saved by ops\n<!-- c --><domain/>'), 'libvirt');
  assert.equal(detectFormat('qemu-system-x86_64 -cpu host'), 'qemu');
  assert.equal(detectFormat('# run this\n-cpu host'), 'qemu');
});

test('import: arbitrary text gives a machine or an ImportError, never another exception; large input completes', () => {
  let seed = 13;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = ['-cpu', '-M', '-machine', '-accel', ' ', ',', '=', '+', '-', '\\', '\n', '"', "'", '#', 'on', 'kvm', 'qemu64', 'pc-1.2', 'tsc-frequency', 'accel=', 'x2apic', '\u00e9', '\r\n'];
  for (let n = 0; n < 3000; n++) {
    let text = '';
    const len = Math.floor(rand() * 30);
    for (let k = 0; k < len; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
    try {
      const m = importMachine(text, kb);
      assert.equal(typeof m.name, 'string');
    } catch (e) {
      assert.ok(e instanceof ImportError, `${JSON.stringify(text)}: ${(e as Error).stack}`);
      assert.ok(e.line >= 1 && e.column >= 1, JSON.stringify(text));
    }
  }
  const big = `qemu-system-x86_64 \\\n${'  -device virtio-net,netdev=n0 \\\n'.repeat(30000)}  -cpu qemu64,${'+x2apic,'.repeat(20000)}-hle`;
  const m = importQemu(big);
  assert.equal(m.edits.length, 20001);
});
