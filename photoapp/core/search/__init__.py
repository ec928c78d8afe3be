"""Natural-language search and find-similar: query parsing, ranking over the vector
index, and the relevance decision that says where the results end."""
