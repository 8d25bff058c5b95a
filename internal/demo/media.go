package demo

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MediaPrefix is where the demo's pictures are served. They are drawn as
// SVG from the demo's own tables (a product's name in both languages, a
// colour and a shape per category), so the demo ships no image files and
// every run looks the same; the text uses the browser's fonts, so Chinese
// renders wherever the phone has Chinese fonts. The version in the path
// changes when the drawing does, because the pictures are cached for a year.
const MediaPrefix = "/media/demo/v1/"

// productImage is the URL of view (1–3) of product i of supplier s.
func productImage(s, i, view int) string {
	return fmt.Sprintf("%sp-%d-%d-%d.svg", MediaPrefix, s, i, view)
}

// shopAvatar is the URL of demo shop n's avatar (1-based).
func shopAvatar(n int) string { return fmt.Sprintf("%sshop-%d.svg", MediaPrefix, n) }

var (
	productPicture = regexp.MustCompile(`^p-([0-9])-([0-9]{1,2})-([123])\.svg$`)
	shopPicture    = regexp.MustCompile(`^shop-([0-9]{1,2})\.svg$`)
)

// Media serves the demo's pictures under MediaPrefix; anything else is 404.
func Media() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, MediaPrefix)
		var svg []byte
		if m := productPicture.FindStringSubmatch(name); ok && m != nil {
			s, _ := strconv.Atoi(m[1])
			i, _ := strconv.Atoi(m[2])
			v, _ := strconv.Atoi(m[3])
			if s < len(demoSuppliers) && i < len(demoSuppliers[s].products) {
				svg = drawProduct(demoSuppliers[s], demoSuppliers[s].products[i], v)
			}
		} else if m := shopPicture.FindStringSubmatch(name); ok && m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(demoShops) {
				svg = drawShop(n)
			}
		}
		if svg == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "image/svg+xml")
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Length", strconv.Itoa(len(svg)))
		if r.Method != http.MethodHead {
			w.Write(svg)
		}
	})
}

// palette is a category's colours: a dark one (white text on it keeps 4.5:1)
// and a light one (dark text on it).
type palette struct{ dark, light string }

var palettes = map[string]palette{
	"tea":     {"#2e6b34", "#e4f1e1"},
	"snacks":  {"#a34f00", "#fcebd9"},
	"home":    {"#1f5a94", "#e2ecf7"},
	"kitchen": {"#6e4326", "#f3e7dd"},
	"beauty":  {"#a02a60", "#f9e2ed"},
}

// motifs are a simple shape per category, drawn around (400, 290).
var motifs = map[string]string{
	"tea": `<path d="M400 130C540 190 560 370 400 460C240 370 260 190 400 130Z"/>` +
		`<path d="M400 170V430" stroke="#fff" stroke-width="10" fill="none" opacity=".6"/>`,
	"snacks": `<circle cx="400" cy="290" r="160"/><g fill="#fff" opacity=".55"><circle cx="340" cy="240" r="16"/>` +
		`<circle cx="450" cy="230" r="14"/><circle cx="420" cy="330" r="18"/><circle cx="330" cy="340" r="12"/></g>`,
	"home":    `<path d="M240 300L400 160L560 300V450H240Z"/><rect x="365" y="350" width="70" height="100" fill="#fff" opacity=".55"/>`,
	"kitchen": `<path d="M220 250H580A180 180 0 0 1 220 250Z"/><rect x="360" y="420" width="80" height="30" rx="8"/>`,
	"beauty":  `<rect x="330" y="190" width="140" height="260" rx="36"/><rect x="365" y="130" width="70" height="70" rx="10"/>`,
}

// zhNames are the demo products' Chinese names, for their pictures.
var zhNames = map[string]string{
	"Longjing green tea, spring pick": "明前龙井", "Anji white tea": "安吉白茶", "Tieguanyin oolong": "铁观音",
	"Pu'er cake, 2019": "2019 普洱茶饼", "Jasmine pearls": "茉莉龙珠", "Keemun black tea": "祁门红茶",
	"Celadon tea set": "青瓷茶具", "Bamboo tea tray": "竹制茶盘", "Glass travel tea bottle": "玻璃便携茶杯",
	"Tea gift box": "茶叶礼盒", "Cantonese mooncakes, lotus paste": "广式莲蓉月饼", "Beef jerky, five spice": "五香牛肉干",
	"Dried mango slices": "芒果干", "Egg rolls tin": "鸡蛋卷礼罐", "XO sauce": "XO 酱", "Preserved plums": "话梅",
	"Rice noodles, Guilin": "桂林米粉", "Oyster sauce, premium": "特级蚝油", "Almond cookies": "杏仁饼",
	"Chrysanthemum tea": "菊花茶", "Silk pillowcase": "真丝枕套", "Bamboo bath towel": "竹纤维浴巾",
	"Sichuan pepper oil": "藤椒油", "Cast iron wok": "铸铁炒锅", "Ceramic rice bowls, set of 4": "陶瓷饭碗四只装",
	"Panda plush": "熊猫公仔", "Hand cream, osmanthus": "桂花护手霜", "Face mask sheets, 10": "面膜 10 片装",
	"Linen table runner": "亚麻桌旗", "Aroma diffuser": "香薰机",
}

const svgFont = `font-family="system-ui,-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',sans-serif"`

// drawProduct draws a product's view: 1 its shape and names on its light
// colour, 2 its Chinese name large on its dark colour, 3 its options and
// supplier.
func drawProduct(s demoSupplier, p demoProduct, view int) []byte {
	pal, ok := palettes[p.category]
	if !ok {
		pal = palette{"#444", "#eee"}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 800" width="800" height="800" %s text-anchor="middle">`, svgFont)
	switch view {
	case 1:
		fmt.Fprintf(&b, `<rect width="800" height="800" fill="%s"/><g fill="%s">%s</g>`, pal.light, pal.dark, motifs[p.category])
		text(&b, 400, 580, 76, "#1d1d1f", "700", zhNames[p.title])
		for i, line := range wrap(p.title, 26, 2) {
			text(&b, 400, 650+i*50, 40, "#3c3c43", "400", line)
		}
	case 2:
		fmt.Fprintf(&b, `<rect width="800" height="800" fill="%s"/><g fill="#fff" opacity=".12" transform="translate(200 40) scale(.5)">%s</g>`,
			pal.dark, motifs[p.category])
		text(&b, 400, 430, 104, "#fff", "700", zhNames[p.title])
		for i, line := range wrap(p.title, 24, 2) {
			text(&b, 400, 520+i*52, 42, "#fff", "400", line)
		}
	default:
		fmt.Fprintf(&b, `<rect width="800" height="800" fill="#fff"/><rect width="800" height="160" fill="%s"/>`, pal.dark)
		text(&b, 400, 105, 52, "#fff", "700", zhNames[p.title])
		for i, line := range wrap(options(p), 28, 3) {
			text(&b, 400, 330+i*70, 56, pal.dark, "700", line)
		}
		for i, line := range wrap(s.name, 30, 2) {
			text(&b, 400, 640+i*50, 38, "#3c3c43", "400", line)
		}
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// options lists a product's SKU choices ("100g · 250g"), or its SKU code.
func options(p demoProduct) string {
	var vals []string
	for _, k := range p.skus {
		keys := make([]string, 0, len(k.options))
		for key := range k.options {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			vals = append(vals, k.options[key])
		}
	}
	if len(vals) == 0 {
		return p.skus[0].code
	}
	return strings.Join(vals, " · ")
}

func drawShop(n int) []byte {
	colours := []string{"#c81e3c", "#1f5a94", "#2e6b34", "#a34f00", "#6e4326", "#a02a60"}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" %s text-anchor="middle">`, svgFont)
	fmt.Fprintf(&b, `<rect width="200" height="200" fill="%s"/>`, colours[(n-1)%len(colours)])
	text(&b, 100, 105, 56, "#fff", "700", "好物")
	text(&b, 100, 160, 40, "#fff", "700", strconv.Itoa(n))
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func text(b *bytes.Buffer, x, y, size int, fill, weight, s string) {
	if s == "" {
		return
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="%d" font-weight="%s" fill="%s">`, x, y, size, weight, fill)
	xml.EscapeText(b, []byte(s))
	b.WriteString(`</text>`)
}

// wrap breaks s into at most n lines of about width characters, at spaces.
func wrap(s string, width, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len([]rune(cur))+1+len([]rune(w)) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] += "…"
	}
	return lines
}
