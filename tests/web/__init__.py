"""The web app at `/`, driven in Debian's headless Chromium against a real server process."""
