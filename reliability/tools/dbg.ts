import { matchStream } from '../crashes';
const lists = matchStream(40, 1);
let prev = new Map<number, string>();
lists.forEach((l, i) => { const cur = new Map(l.map((m) => [m.matchid - 6000000, JSON.stringify(m)])); const added = [...cur.keys()].filter((k) => !prev.has(k)); const removed = [...prev.keys()].filter((k) => !cur.has(k)); const changed = [...cur.keys()].filter((k) => prev.has(k) && prev.get(k) !== cur.get(k)).map((k) => `${k}${JSON.parse(cur.get(k)!).installd ? '(cancelled)' : ''}`); console.log(i, 'n', l.length, 'live', l.filter(m=>!m.installd).length, '+', added.join(','), '-', removed.join(','), '~', changed.join(',')); prev = cur; });
