from django.shortcuts import redirect


def home(request):
    return redirect("web:case_list")
