dataset "café" {
  description = "naïve résumé" # accented
  emoji = "🎉👍🏽" # emoji with modifier
  family = "👨‍👩‍👧" # zwj family
  cjk = "数据集" # wide chars count as one column each
  combining = "é" # e + combining acute
  hangul = "한국어" # hangul
  x = 1 # short
}
