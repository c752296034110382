"""The intent-model trial of issue 5 (research, not product code): see README.md beside this file."""
