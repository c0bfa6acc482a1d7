dataset "samples" {
  for_each = toset(["iris", "wine"])
  source   = "sklearn:${each.key}"
}
