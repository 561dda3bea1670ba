"""The one capability -> feature matrix, used by the server (Python) and the pages (generated JSON).

Imports neither server/ nor native_host/.
"""
