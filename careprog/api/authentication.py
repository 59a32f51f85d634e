"""``Authorization: Bearer <token>`` for the API, beside the browser's session (so that a
signed-in person can try the API from /api/docs/).

Without either the answer is 401 with ``WWW-Authenticate: Bearer``; a token that is revoked,
expired, unknown or whose person is deactivated gets the same 401, saying no more.
"""

from rest_framework import authentication, exceptions

from careprog.api.tokens import person_for

REALM = 'Bearer realm="careprog"'


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer …”.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That token does not work.") from None
        token = person_for(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("That token does not work.")
        return token.person, token

    def authenticate_header(self, request):
        return REALM
