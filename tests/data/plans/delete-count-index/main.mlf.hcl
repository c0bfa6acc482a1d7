dataset "shard" {
  count  = 1
  source = "sklearn:iris"
  limit  = 100 + count.index
}
