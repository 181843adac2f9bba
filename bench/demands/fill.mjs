// bench/demands/fill.mjs — fills a benchmark database with demands through the API (the same
// services the UI uses): N demands spread over the registry's firms, channels, categories
// and priorities, of which about 70 % are assessed and dispatched to a department, half of
// those received, a third replied and a quarter evaluated — so that the state, category and
// box filters select realistic fractions.
//
//   node bench/demands/fill.mjs URL TOKEN N
//
// TOKEN: an API token of a scope-all user with demand.file, demand.assess, demand.handle,
// demand.evaluate and firm.read. Prints a one-line JSON summary.
const [url, token, nArg] = process.argv.slice(2);
const N = Number(nArg || 10000);
const H = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

async function call(method, path, body) {
  const r = await fetch(url + path, { method, headers: H, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const firms = (await call('GET', '/api/v1/firms?per_page=200')).items.map((f) => f.id);
const depts = (await call('GET', '/api/v1/departments')).items.map((d) => d.id);
const channels = ['window', 'hotline', 'visit', 'salon', 'online', 'station', 'commissioner'];
const categories = ['enquiry', 'help', 'complaint', 'suggestion', 'complex'];
const topics = ['policy', 'finance', 'labour', 'approval', 'customs', 'land', 'utilities', 'tax', 'other'];
const priorities = ['normal', 'normal', 'normal', 'high', 'urgent'];
const words = ['用电报装', '融资对接', '招工', '施工许可', '通关时效', '用地指标', '供暖', '退税', 'таможня', 'склад'];

let seed = 12345;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};

async function one(i) {
  const d = await call('POST', '/api/v1/demands', {
    firm_id: firms[rnd(firms.length)],
    channel: channels[rnd(channels.length)],
    title: `${words[rnd(words.length)]} 诉求 ${i}`,
    body: '企业反映的问题，请协调解决。',
    lang: rnd(5) === 0 ? 'ru' : 'zh',
  });
  let v = d.version;
  const roll = rnd(100);
  if (roll >= 70) return;
  const fire = async (event, extra = {}) => {
    const r = await call('POST', `/api/v1/demands/${d.id}/events`, { event, version: v, ...extra });
    v = r.version;
  };
  await fire('assess', {
    category: categories[rnd(categories.length)],
    topic: topics[rnd(topics.length)],
    priority: priorities[rnd(priorities.length)],
    lead_dept_id: depts[rnd(depts.length)],
  });
  await fire('dispatch');
  if (roll >= 35) return;
  await fire('receive');
  if (roll >= 24) return;
  await fire('reply', { reply: '已协调解决。' });
  if (roll >= 18) return;
  await fire('evaluate', { solved: rnd(10) > 0, satisfaction: 3 + rnd(3) });
}

const started = Date.now();
let next = 0;
async function worker() {
  while (next < N) await one(next++);
}
await Promise.all(Array.from({ length: 8 }, worker));
console.log(JSON.stringify({ demands: N, firms: firms.length, departments: depts.length, seconds: (Date.now() - started) / 1000 }));
