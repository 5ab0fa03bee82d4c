#!/bin/sh
# The seed's cURL example; only the base URL and key are parameters.
# Usage: CNID_OCR_URL=http://127.0.0.1:8000 CNID_OCR_API_KEY=sk_live_... ./examples/curl.sh cn_id_card.jpg
curl -X POST "${CNID_OCR_URL:-http://127.0.0.1:8000}/api/v1/ocr" \
  -H "Authorization: Bearer ${CNID_OCR_API_KEY:?set CNID_OCR_API_KEY}" \
  -F "image=@${1:-cn_id_card.jpg}" \
  -F "documentType=cn_id_card"
