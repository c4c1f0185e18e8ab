"""Measuring recognition the way callers experience it: labelled recordings in, the dialog's
verdict per recording out (acted on, confirmed, rejected), and the rates ops tune by."""
