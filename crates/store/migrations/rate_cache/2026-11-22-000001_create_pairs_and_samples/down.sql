DROP TABLE rate_samples; DROP TABLE currency_pairs;
