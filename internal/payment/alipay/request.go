package alipay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"sharemall/internal/errs"
)

// params are the common request parameters of method, with biz as
// biz_content, signed with the application's key.
func (c *Client) params(method string, biz any, extra map[string]string) (url.Values, error) {
	bizJSON, err := json.Marshal(biz)
	if err != nil {
		return nil, err
	}
	v := url.Values{}
	v.Set("app_id", c.cfg.AppID)
	v.Set("method", method)
	v.Set("format", "JSON")
	v.Set("charset", "utf-8")
	v.Set("sign_type", "RSA2")
	v.Set("timestamp", c.now().In(shanghai).Format(timeLayout))
	v.Set("version", "1.0")
	v.Set("biz_content", string(bizJSON))
	if c.certs != nil {
		v.Set("app_cert_sn", c.certs.appSN)
		v.Set("alipay_root_cert_sn", c.certs.rootSN)
	}
	for k, val := range extra {
		if val != "" {
			v.Set(k, val)
		}
	}
	sig, err := signRSA2(c.cfg.PrivateKey, []byte(signingString(v, false, "sign")))
	if err != nil {
		return nil, fmt.Errorf("alipay: signing %s: %w", method, err)
	}
	v.Set("sign", sig)
	return v, nil
}

// result is the common part of every response object.
type result struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

// call posts method to the gateway, verifies the response's signature over
// the raw bytes of its "<method>_response" object and decodes that object
// into out. A response whose code is not 10000 is an error (see apiError).
func (c *Client) call(ctx context.Context, method string, biz any, extra map[string]string, out any) error {
	v, err := c.params(method, biz, extra)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.gateway, strings.NewReader(v.Encode()))
	if err != nil {
		return fmt.Errorf("alipay %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	resp, err := c.hc.Do(req)
	if err != nil {
		// A timeout or a refused connection: temporary, the outbox asks again.
		return fmt.Errorf("alipay %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("alipay %s: reading the response: %w", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("alipay %s: HTTP %d", method, resp.StatusCode)
	}
	return c.decode(ctx, method, body, out)
}

func (c *Client) decode(ctx context.Context, method string, body []byte, out any) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return fmt.Errorf("alipay %s: the response is not JSON: %w", method, err)
	}
	key := strings.ReplaceAll(method, ".", "_") + "_response"
	raw, ok := top[key]
	if !ok {
		raw, ok = top["error_response"]
	}
	if !ok {
		return fmt.Errorf("alipay %s: the response has no %s", method, key)
	}
	var sign string
	if s, ok := top["sign"]; ok {
		if err := json.Unmarshal(s, &sign); err != nil {
			return fmt.Errorf("alipay %s: the response's sign is not a string", method)
		}
	}
	var r result
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("alipay %s: the response object is not JSON: %w", method, err)
	}
	// A downloaded certificate is trusted by its issuer, not by the
	// signature of the answer that carries it (as Alipay's SDKs do).
	verify := method != MethodCertDownload
	if sign != "" && verify {
		var sn string
		if s, ok := top["alipay_cert_sn"]; ok {
			json.Unmarshal(s, &sn)
		}
		key, err := c.alipayKey(ctx, sn)
		if err != nil {
			return fmt.Errorf("alipay %s: the key of Alipay's certificate %s: %w", method, sn, err)
		}
		// json.RawMessage keeps the object's bytes exactly as Alipay sent
		// them, escapes and all, which is what it signed.
		if !verifyRSA2(key, raw, sign) {
			return fmt.Errorf("alipay %s: the response's signature does not verify with Alipay's public key", method)
		}
	}
	if r.Code != "10000" {
		// Error answers are not always signed (error_response never is):
		// an unsigned error can make us fail, never move money.
		return apiError(method, r)
	}
	if sign == "" && verify {
		return fmt.Errorf("alipay %s: a successful response without a signature", method)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("alipay %s: %w", method, err)
		}
	}
	return nil
}

// APIError is a response whose code is not 10000.
type APIError struct {
	Method  string
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("alipay %s: %s %s (%s %s)", e.Method, e.Code, e.Msg, e.SubCode, e.SubMsg)
}

// temporarySubCodes are refusals that may pass when asked again later.
var temporarySubCodes = map[string]bool{
	"ACQ.SYSTEM_ERROR":              true,
	"aop.ACQ.SYSTEM_ERROR":          true,
	"isp.unknow-error":              true,
	"isp.unknown-error":             true,
	"ACQ.SELLER_BALANCE_NOT_ENOUGH": true, // money comes in; a person tops up, the outbox asks again
	"ACQ.REFUND_CHARGE_ERROR":       true,
}

// invalidFields say which field of ours a refusal is about.
var invalidFields = map[string]string{
	"ACQ.REASON_TRADE_REFUND_FEE_ERR": "amount",
	"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL":  "amount",
	"ACQ.REFUND_FEE_ERROR":            "amount",
	"ACQ.TRADE_STATUS_ERROR":          "reference",
	"ACQ.TRADE_HAS_FINISHED":          "reference",
	"ACQ.TRADE_HAS_CLOSE":             "reference",
	"ACQ.TRADE_HAS_SUCCESS":           "reference",
	"ACQ.CONTEXT_INCONSISTENT":        "reference",
	"ACQ.DISCORDANT_REPEAT_REQUEST":   "refund_key",
	"ACQ.INVALID_PARAMETER":           "alipay",
	"isv.invalid-signature":           "sign",
	"isv.invalid-app-id":              "app_id",
	"isv.missing-signature":           "sign",
}

// apiError maps Alipay's codes to ours: a trade Alipay does not know is
// NotFound; a system error (code 20000, ACQ.SYSTEM_ERROR) is temporary
// (a plain error, which the outbox retries); any other refusal (40001
// missing, 40002 invalid, 40004 business failure, 40006 permission) is
// Invalid, which it will stay however often it is asked.
func apiError(method string, r result) error {
	ae := &APIError{Method: method, Code: r.Code, Msg: r.Msg, SubCode: r.SubCode, SubMsg: r.SubMsg}
	switch {
	case r.Code == "20000" || temporarySubCodes[r.SubCode] || strings.HasPrefix(r.SubCode, "isp."):
		return ae
	case r.SubCode == "ACQ.TRADE_NOT_EXIST":
		e := errs.E(errs.NotFound, "reference", "Alipay has no such trade")
		e.Err = ae
		return e
	}
	field := invalidFields[r.SubCode]
	if field == "" {
		field = "alipay"
	}
	e := errs.Invalidf(field, "Alipay refused: %s %s", r.SubCode, r.SubMsg)
	e.Err = ae
	return e
}

// subCodeOf is the sub_code of an error from call, or "".
func subCodeOf(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.SubCode
	}
	return ""
}
