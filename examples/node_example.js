// The seed's Node.js example (axios + form-data), unchanged but for the base URL and key.
// Usage: cd examples && npm install && CNID_OCR_URL=... CNID_OCR_API_KEY=sk_live_... node node_example.js card.jpg
const FormData = require('form-data');
const fs = require('fs');
const axios = require('axios');

const BASE_URL = process.env.CNID_OCR_URL || 'http://127.0.0.1:8000';

async function processIDCard(imagePath, apiKey) {
  const formData = new FormData();
  formData.append('image', fs.createReadStream(imagePath));
  formData.append('documentType', 'cn_id_card');

  try {
    const response = await axios.post(`${BASE_URL}/api/v1/ocr`, formData, {
      headers: {
        ...formData.getHeaders(),
        'Authorization': `Bearer ${apiKey}`
      }
    });

    return response.data;
  } catch (error) {
    if (error.response) {
      console.error('API Error:', error.response.data);
    }
    throw error;
  }
}

processIDCard(process.argv[2] || './chinese_id.jpg', process.env.CNID_OCR_API_KEY)
  .then(result => console.log(JSON.stringify(result)))
  .catch(error => { console.error('Error:', error.message); process.exit(1); });
