package e2e

import (
	"encoding/json"
	"fmt"
)

// Locator finds elements as a person (or a screen reader) would: by the
// label of a field, the text of a button or link, or a data-test
// attribute a page puts on what tests look for; never by layout (no
// nth-child, no class names). Locators are values: build them once, use
// them on any page.
type Locator struct {
	desc string // what it finds, for messages: `the field labelled "Phone"`
	find string // a JavaScript function (root) => [elements], in document order
}

func (l Locator) String() string { return l.desc }

// norm squeezes white space, as a person reads text.
const norm = `(s => (s || "").replace(/\s+/g, " ").trim())`

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Label is the form field (input, select or textarea) whose <label> reads
// text, or text followed by a bracket or a colon (so "Password" finds
// "Password (10 or more characters…)" and "密码" finds "密码（至少…）", but
// not "Password again"), or whose aria-label is text.
func Label(text string) Locator {
	return Locator{desc: fmt.Sprintf("the field labelled %q", text), find: `(root => {
		const n = ` + norm + `, want = ` + jsString(text) + `, out = [];
		const named = t => t === want || ["(", " (", "（", " （", ":", "："].some(c => t.startsWith(want + c));
		for (const l of root.querySelectorAll("label")) if (l.control && named(n(l.textContent))) out.push(l.control);
		for (const e of root.querySelectorAll("input[aria-label],select[aria-label],textarea[aria-label]"))
			if (n(e.getAttribute("aria-label")) === want) out.push(e);
		return out;
	})`}
}

// Test is the element with data-test="name": what a page marks for tests
// to find (prices, statuses, list items, a field's error: "error-phone").
func Test(name string) Locator {
	return Locator{desc: fmt.Sprintf("[data-test=%q]", name), find: `(root => [...root.querySelectorAll("[data-test=" + ` +
		jsString(jsString(name)) + ` + "]")])`}
}

// Button is the button (a <button>, an <input type=submit|button> or a
// role=button) whose text, value or aria-label is text.
func Button(text string) Locator {
	return named(fmt.Sprintf("the button %q", text), `button,input[type=submit],input[type=button],[role=button]`, text)
}

// Link is the link whose text or aria-label is text.
func Link(text string) Locator {
	return named(fmt.Sprintf("the link %q", text), `a[href]`, text)
}

func named(desc, css, text string) Locator {
	return Locator{desc: desc, find: `(root => {
		const n = ` + norm + `, want = ` + jsString(text) + `;
		return [...root.querySelectorAll(` + jsString(css) + `)].filter(e =>
			n(e.innerText || e.value) === want || n(e.getAttribute("aria-label")) === want);
	})`}
}

// In narrows l to the elements inside what parent finds:
// Test("price").In(Test("cart-line").With("Longjing")).
func (l Locator) In(parent Locator) Locator {
	return Locator{desc: l.desc + " in " + parent.desc,
		find: `(root => ` + parent.find + `(root).flatMap(p => ` + l.find + `(p)))`}
}

// With narrows l to the elements whose text contains text: one line of a
// list, Test("cart-line").With("Longjing green tea").
func (l Locator) With(text string) Locator {
	return Locator{desc: fmt.Sprintf("%s with %q", l.desc, text),
		find: `(root => ` + l.find + `(root).filter(e => ` + norm + `(e.innerText).includes(` + jsString(text) + `)))`}
}

// first is a JavaScript expression for the first element l finds, or null.
func (l Locator) first() string { return `(` + l.find + `(document)[0] || null)` }

// all is a JavaScript expression for every element l finds.
func (l Locator) all() string { return `(` + l.find + `(document))` }
