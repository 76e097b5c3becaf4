from django.http import HttpResponse


def assertion(request, uid):
    return HttpResponse("")
