model "tree" {
  hyperparameters {
    search {
      grid = {
        max_depth = [3, 4, 5]
        learning_rate = [
          0.1,
          0.01,
        ]
      }
    }
  }
}
