package media

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"time"

	"sharemall/internal/errs"
)

// UploadTime is how long the body of an upload may take to arrive.
const UploadTime = 5 * time.Minute

// UploadFromRequest reads the picture of a multipart/form-data request's
// field "image" and runs it through Upload. The body is limited to
// maxBytes and a little room for the form around it, and the picture is
// streamed into the pipeline, never into a temporary file. Refusals name
// the field "image".
func UploadFromRequest(w http.ResponseWriter, r *http.Request, st Store, productID, maxBytes int64, add func(url string) error) (string, error) {
	// The server's read timeout (30 s) suits forms, not 8 MB from a phone
	// on a slow network: the caller is signed in as a supplier by now.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(UploadTime))
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", errs.Invalidf("image", "send the picture as multipart/form-data, in the field image")
	}
	for {
		part, err := mr.NextPart()
		var tooBig *http.MaxBytesError
		switch {
		case err == io.EOF:
			return "", errs.Invalidf("image", "choose a picture to upload")
		case errors.As(err, &tooBig) || errors.Is(err, multipart.ErrMessageTooLarge):
			return "", TooLarge(maxBytes)
		case err != nil:
			return "", errs.Invalidf("image", "the upload could not be read: send the picture as multipart/form-data")
		}
		if part.FormName() != "image" {
			continue // NextPart skips the rest of it
		}
		return Upload(r.Context(), st, productID, part, maxBytes, add)
	}
}
