"""Code that runs inside the Rasa server process only: its launcher, the patch table, the
tracker and lock stores, the channels and the custom NLU components. Rasa imports most of it by
class path from config.yml, credentials.yml and endpoints.yml."""
