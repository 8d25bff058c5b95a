package wechatpayfake

import (
	"net/http"
	"time"

	"sharemall/internal/payment/wechatpay"
)

// certificates answers GET /v3/certificates: every platform certificate,
// sealed with the APIv3 key (associated data "certificate"), newest last.
func (s *Server) certificates() answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certFetches++
	if s.pubKeyID != "" {
		return fail(http.StatusNotFound, "NOT_FOUND", "证书不存在")
	}
	var list wechatpay.CertificateList
	for _, pc := range s.platform {
		nonce := wechatpay.Nonce()[:12]
		ct, err := wechatpay.Encrypt(s.APIv3Key, nonce, "certificate", pc.PEM)
		if err != nil {
			return fail(http.StatusInternalServerError, "SYSTEM_ERROR", "%v", err)
		}
		res := wechatpay.NoticeResource{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: "certificate", Ciphertext: ct}
		e := wechatpay.CertificateEntry{
			SerialNo:      pc.Serial,
			EffectiveTime: pc.Cert.NotBefore.In(beijing).Format(time.RFC3339),
			ExpireTime:    pc.Cert.NotAfter.In(beijing).Format(time.RFC3339),
		}
		e.EncryptCertificate = res
		list.Data = append(list.Data, e)
	}
	return jsonAnswer(http.StatusOK, list)
}
