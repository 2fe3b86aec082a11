"""The offline fraud model: simulators, training, evaluation and the shipped scorer."""
