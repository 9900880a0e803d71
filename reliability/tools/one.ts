// Runs one scenario: node --import tsx reliability/tools/one.ts <module> <function> [json-arg]
const mod = await import(new URL(process.argv[2]!, 'file://' + process.cwd() + '/').href);
const fn = mod[process.argv[3]!];
const arg = process.argv[4] ? JSON.parse(process.argv[4]) : undefined;
const row = await fn(arg);
console.log(JSON.stringify(row, null, 1));
process.exit(0);
export {};
