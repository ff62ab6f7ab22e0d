"""shoprules for django-oscar: a Django app that asks shoprules what to do when an order is
placed or a return is requested, and applies the answer with Oscar's own models.

Add ``"shoprules_oscar"`` to ``INSTALLED_APPS``, set ``SHOPRULES_CONFIG`` (a config file path,
or anything else ``shoprules.Host`` accepts as its config), run ``manage.py migrate``, and include
``shoprules_oscar.urls`` for the return request view.
"""
