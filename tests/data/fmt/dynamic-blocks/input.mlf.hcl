model "m" {
  dynamic "feature" {
    for_each = var.features
    content {
      name = feature.value.name
      kind = feature.value.kind
    }
  }
}
