from django.urls import path

from .views import ReturnRequestView

app_name = "shoprules_oscar"
urlpatterns = [
    path("orders/<str:number>/return/", ReturnRequestView.as_view(), name="return-request"),
]
