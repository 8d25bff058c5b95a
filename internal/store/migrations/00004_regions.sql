-- A small region table for the demo and the tests: China, six provinces,
-- twelve cities and their best-known districts, with real GB/T 2260 codes.
--
-- Format (see 00002_catalog.sql): a code is a dot path, one segment per
-- level. Level 1 is the country by ISO 3166-1 alpha-2 ("CN"); levels 2 to 4
-- are the digit pairs of the six-digit GB/T 2260 code: province 44 →
-- "CN.44", city 4403 → "CN.44.03", district 440305 → "CN.44.03.05". Names
-- are English then Chinese in one field ("Shenzhen 深圳"). Municipalities
-- (Beijing, Shanghai) have one city level, their "urban districts" (市辖区,
-- xx01). Load a full table later with more INSERTs in a new migration.

-- +goose Up
INSERT INTO regions (code, parent_code, level, name) VALUES
    ('CN', NULL, 1, 'China 中国');

INSERT INTO regions (code, parent_code, level, name) VALUES
    ('CN.11', 'CN', 2, 'Beijing 北京'),
    ('CN.31', 'CN', 2, 'Shanghai 上海'),
    ('CN.32', 'CN', 2, 'Jiangsu 江苏'),
    ('CN.33', 'CN', 2, 'Zhejiang 浙江'),
    ('CN.44', 'CN', 2, 'Guangdong 广东'),
    ('CN.51', 'CN', 2, 'Sichuan 四川');

INSERT INTO regions (code, parent_code, level, name) VALUES
    ('CN.11.01', 'CN.11', 3, 'Beijing urban districts 北京市辖区'),
    ('CN.31.01', 'CN.31', 3, 'Shanghai urban districts 上海市辖区'),
    ('CN.32.01', 'CN.32', 3, 'Nanjing 南京'),
    ('CN.32.05', 'CN.32', 3, 'Suzhou 苏州'),
    ('CN.33.01', 'CN.33', 3, 'Hangzhou 杭州'),
    ('CN.33.02', 'CN.33', 3, 'Ningbo 宁波'),
    ('CN.44.01', 'CN.44', 3, 'Guangzhou 广州'),
    ('CN.44.03', 'CN.44', 3, 'Shenzhen 深圳'),
    ('CN.44.06', 'CN.44', 3, 'Foshan 佛山'),
    ('CN.44.19', 'CN.44', 3, 'Dongguan 东莞'),
    ('CN.51.01', 'CN.51', 3, 'Chengdu 成都'),
    ('CN.51.07', 'CN.51', 3, 'Mianyang 绵阳');

INSERT INTO regions (code, parent_code, level, name) VALUES
    ('CN.11.01.01', 'CN.11.01', 4, 'Dongcheng 东城'),
    ('CN.11.01.02', 'CN.11.01', 4, 'Xicheng 西城'),
    ('CN.11.01.05', 'CN.11.01', 4, 'Chaoyang 朝阳'),
    ('CN.11.01.08', 'CN.11.01', 4, 'Haidian 海淀'),
    ('CN.31.01.01', 'CN.31.01', 4, 'Huangpu 黄浦'),
    ('CN.31.01.04', 'CN.31.01', 4, 'Xuhui 徐汇'),
    ('CN.31.01.06', 'CN.31.01', 4, 'Jing''an 静安'),
    ('CN.31.01.15', 'CN.31.01', 4, 'Pudong 浦东新区'),
    ('CN.32.01.02', 'CN.32.01', 4, 'Xuanwu 玄武'),
    ('CN.32.01.06', 'CN.32.01', 4, 'Gulou 鼓楼'),
    ('CN.32.05.05', 'CN.32.05', 4, 'Huqiu 虎丘'),
    ('CN.32.05.06', 'CN.32.05', 4, 'Wuzhong 吴中'),
    ('CN.32.05.08', 'CN.32.05', 4, 'Gusu 姑苏'),
    ('CN.33.01.02', 'CN.33.01', 4, 'Shangcheng 上城'),
    ('CN.33.01.06', 'CN.33.01', 4, 'Xihu 西湖'),
    ('CN.33.01.08', 'CN.33.01', 4, 'Binjiang 滨江'),
    ('CN.33.02.03', 'CN.33.02', 4, 'Haishu 海曙'),
    ('CN.44.01.03', 'CN.44.01', 4, 'Liwan 荔湾'),
    ('CN.44.01.04', 'CN.44.01', 4, 'Yuexiu 越秀'),
    ('CN.44.01.05', 'CN.44.01', 4, 'Haizhu 海珠'),
    ('CN.44.01.06', 'CN.44.01', 4, 'Tianhe 天河'),
    ('CN.44.03.03', 'CN.44.03', 4, 'Luohu 罗湖'),
    ('CN.44.03.04', 'CN.44.03', 4, 'Futian 福田'),
    ('CN.44.03.05', 'CN.44.03', 4, 'Nanshan 南山'),
    ('CN.44.03.06', 'CN.44.03', 4, 'Bao''an 宝安'),
    ('CN.44.06.04', 'CN.44.06', 4, 'Chancheng 禅城'),
    ('CN.44.06.06', 'CN.44.06', 4, 'Shunde 顺德'),
    ('CN.51.01.04', 'CN.51.01', 4, 'Jinjiang 锦江'),
    ('CN.51.01.05', 'CN.51.01', 4, 'Qingyang 青羊'),
    ('CN.51.01.07', 'CN.51.01', 4, 'Wuhou 武侯'),
    ('CN.51.07.03', 'CN.51.07', 4, 'Fucheng 涪城');

-- +goose Down
DELETE FROM regions WHERE level = 4;
DELETE FROM regions WHERE level = 3;
DELETE FROM regions WHERE level = 2;
DELETE FROM regions WHERE level = 1;
