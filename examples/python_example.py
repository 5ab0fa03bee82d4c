"""The seed's Python example, unchanged but for the base URL and key (taken from the environment).

Usage: CNID_OCR_URL=http://127.0.0.1:8000 CNID_OCR_API_KEY=sk_live_... python examples/python_example.py card.jpg
"""

import os
import sys

import requests

BASE_URL = os.environ.get("CNID_OCR_URL", "http://127.0.0.1:8000")


def extract_chinese_id_data(image_path, api_key):
    """Extract data from Chinese ID card image"""

    url = f"{BASE_URL}/api/v1/ocr"
    headers = {"Authorization": f"Bearer {api_key}"}

    try:
        with open(image_path, "rb") as f:
            files = {"image": (os.path.basename(image_path), f, "image/jpeg")}
            data = {"documentType": "cn_id_card"}

            response = requests.post(url, headers=headers, files=files, data=data, timeout=30)
            response.raise_for_status()

            return response.json()

    except requests.exceptions.RequestException as e:
        print(f"Request failed: {e}")
        if hasattr(e, "response") and e.response is not None:
            print(f"Status code: {e.response.status_code}")
            print(f"Error response: {e.response.text}")
        return None


if __name__ == "__main__":
    result = extract_chinese_id_data(sys.argv[1] if len(sys.argv) > 1 else "chinese_id.jpg",
                                     os.environ["CNID_OCR_API_KEY"])
    if result:
        print("Name:", result["name"])
        print("ID Number:", result["idNumber"])
        print("Full response:", result)
    else:
        print("Failed to extract ID card data")
        sys.exit(1)
