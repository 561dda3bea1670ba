"""The document library (資料): accepted file types, storage, rendering, and its HTTP API."""
