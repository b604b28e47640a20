    {{ varargs | join(', ') }}
